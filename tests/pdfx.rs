//! PDF/X-4 print files, read back with lopdf and checked the way a PDF/X-4 preflight
//! would: the GTS_PDFX output intent and its ICC profile (parsed here, independently of
//! broadside's own parser), version keys and trapping in the Info dictionary and the XMP,
//! IDs, page boxes, PDF version, and what PDF/X forbids anywhere in the file. Also spot
//! colours as Separations, and other output profiles from `--icc` or a layout.

use crate::common::{Scratch, repo, run_in, stderr, walk};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};
use std::path::{Path, PathBuf};

const NAVY: &str = r##"navy  = { rgb = "#1f2a5c" }"##;

/// The fields of an ICC header this test cares about, and the description.
#[derive(Debug)]
struct Icc {
    class: String,
    space: String,
    pcs: String,
    description: String,
}

fn be32(b: &[u8], at: usize) -> usize {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

/// Parses an ICC profile's header and `desc` tag (ICC.1 v2 `desc` or v4 `mluc`), panicking
/// on anything malformed.
fn parse_icc(b: &[u8]) -> Icc {
    assert!(b.len() >= 132, "too short for an ICC profile: {}", b.len());
    assert_eq!(
        be32(b, 0),
        b.len(),
        "the header's size field is the profile's length"
    );
    assert_eq!(&b[36..40], b"acsp", "ICC signature");
    assert!((2..=4).contains(&b[8]), "ICC major version {}", b[8]);
    let text = |at: usize| String::from_utf8_lossy(&b[at..at + 4]).into_owned();
    let tags = be32(b, 128);
    let mut description = None;
    for i in 0..tags {
        let entry = 132 + 12 * i;
        let (offset, size) = (be32(b, entry + 4), be32(b, entry + 8));
        assert!(offset + size <= b.len(), "tag {i} runs past the end");
        if &b[entry..entry + 4] != b"desc" {
            continue;
        }
        let tag = &b[offset..offset + size];
        description = Some(match &tag[0..4] {
            b"desc" => {
                let n = be32(tag, 8);
                String::from_utf8_lossy(&tag[12..12 + n])
                    .trim_end_matches('\0')
                    .to_string()
            }
            b"mluc" => {
                let (len, off) = (be32(tag, 20), be32(tag, 24));
                let units: Vec<u16> = tag[off..off + len]
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).unwrap()
            }
            other => panic!("desc tag of type {other:?}"),
        });
    }
    Icc {
        class: text(12),
        space: text(16),
        pcs: text(20),
        description: description.expect("a desc tag"),
    }
}

/// A minimal ICC profile (header and a v2 `desc` tag), enough for broadside's checks.
fn tiny_profile(class: &[u8; 4], space: &[u8; 4], description: &str) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[8] = 2;
    b[12..16].copy_from_slice(class);
    b[16..20].copy_from_slice(space);
    b[20..24].copy_from_slice(b"XYZ ");
    b[36..40].copy_from_slice(b"acsp");
    let mut tag = b"desc\0\0\0\0".to_vec();
    tag.extend_from_slice(&(description.len() as u32 + 1).to_be_bytes());
    tag.extend_from_slice(description.as_bytes());
    tag.extend_from_slice(&[0; 13]);
    b.extend_from_slice(&1u32.to_be_bytes());
    b.extend_from_slice(b"desc");
    b.extend_from_slice(&144u32.to_be_bytes());
    b.extend_from_slice(&(tag.len() as u32).to_be_bytes());
    b.extend_from_slice(&tag);
    let len = b.len() as u32;
    b[0..4].copy_from_slice(&len.to_be_bytes());
    b
}

/// The bundled profile with another description of the same length: a second, real CMYK
/// output profile.
fn renamed_profile(description: &str) -> Vec<u8> {
    let original = "FOGRA39 coated (ArgyllCMS build)";
    assert_eq!(description.len(), original.len());
    let mut bytes = std::fs::read(repo().join("profiles/FOGRA39-coated-argyll.icc")).unwrap();
    let at = bytes
        .windows(original.len())
        .position(|w| w == original.as_bytes())
        .unwrap();
    bytes[at..at + original.len()].copy_from_slice(description.as_bytes());
    bytes
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> &'a Dictionary {
    doc.dereference(object).unwrap().1.as_dict().unwrap()
}

fn text(object: &Object) -> String {
    lopdf::decode_text_string(object).unwrap()
}

fn info(doc: &Document) -> &Dictionary {
    dict(doc, doc.trailer.get(b"Info").unwrap())
}

/// The text between `<tag>` and `</tag>`, with any inner `rdf:` markup dropped and XML
/// entities decoded.
fn xmp_value(xmp: &str, tag: &str) -> Option<String> {
    let start = xmp.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xmp[start..].find(&format!("</{tag}>"))?;
    let mut inner = String::new();
    let mut in_markup = false;
    for c in xmp[start..end].chars() {
        match c {
            '<' => in_markup = true,
            '>' => in_markup = false,
            c if !in_markup => inner.push(c),
            _ => {}
        }
    }
    Some(
        inner
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// `D:20270101000000Z` as XMP writes it, `2027-01-01T00:00:00Z`.
fn iso_date(pdf: &str) -> String {
    let d = pdf.strip_prefix("D:").unwrap();
    format!(
        "{}-{}-{}T{}:{}:{}{}",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14],
        &d[14..]
    )
}

/// The one GTS_PDFX output intent and its parsed profile.
fn output_intent(doc: &Document) -> (&Dictionary, Icc) {
    let intents = doc
        .catalog()
        .unwrap()
        .get(b"OutputIntents")
        .expect("OutputIntents in the catalog")
        .as_array()
        .unwrap();
    let pdfx: Vec<&Dictionary> = intents
        .iter()
        .map(|i| dict(doc, i))
        .filter(|i| i.get(b"S").unwrap().as_name().unwrap() == b"GTS_PDFX")
        .collect();
    assert_eq!(pdfx.len(), 1, "exactly one GTS_PDFX output intent");
    let intent = pdfx[0];
    assert_eq!(
        intent.get(b"Type").unwrap().as_name().unwrap(),
        b"OutputIntent"
    );
    let profile = doc
        .dereference(intent.get(b"DestOutputProfile").unwrap())
        .unwrap()
        .1
        .as_stream()
        .expect("DestOutputProfile is an ICC stream");
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 4);
    let bytes = if profile.dict.has(b"Filter") {
        profile.decompressed_content().unwrap()
    } else {
        profile.content.clone()
    };
    (intent, parse_icc(&bytes))
}

/// Every object of the file, walked recursively: each dictionary key and name it holds.
fn names_and_keys(doc: &Document) -> Vec<Vec<u8>> {
    fn walk_object(object: &Object, out: &mut Vec<Vec<u8>>) {
        match object {
            Object::Name(n) => out.push(n.clone()),
            Object::Array(items) => items.iter().for_each(|o| walk_object(o, out)),
            Object::Dictionary(d) => walk_dict(d, out),
            Object::Stream(s) => walk_dict(&s.dict, out),
            _ => {}
        }
    }
    fn walk_dict(d: &Dictionary, out: &mut Vec<Vec<u8>>) {
        for (key, value) in d.iter() {
            out.push(key.clone());
            walk_object(value, out);
        }
    }
    let mut out = Vec::new();
    for object in doc.objects.values() {
        walk_object(object, &mut out);
    }
    out
}

/// Checks one print file against the PDF/X-4 requirements our files can meet or miss,
/// returning the output condition identifier.
pub fn assert_pdfx4(path: &Path) -> String {
    let name = path.display();
    let bytes = std::fs::read(path).unwrap();
    // PDF 1.6 (what PDF/X-4 is based on), with a binary comment on the second line.
    assert!(bytes.starts_with(b"%PDF-1.6\n%"), "{name}: header");
    assert!(
        bytes[10..14].iter().all(|&b| b > 127),
        "{name}: binary comment"
    );
    let doc = Document::load_mem(&bytes).unwrap();
    assert_eq!(doc.version, "1.6", "{name}");
    assert!(!doc.trailer.has(b"Encrypt"), "{name}: encrypted");

    // Trailer /ID: two byte strings.
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2, "{name}: /ID");
    assert!(id.iter().all(|i| !i.as_str().unwrap().is_empty()));

    // The output intent.
    let (intent, icc) = output_intent(&doc);
    assert_eq!(icc.class, "prtr", "{name}: an output profile");
    assert_eq!(icc.space, "CMYK", "{name}");
    assert!(
        icc.pcs == "Lab " || icc.pcs == "XYZ ",
        "{name}: PCS {}",
        icc.pcs
    );
    // The identifier a RIP looks up in the ICC registry: the registry's reference name
    // for a bundled profile's data, a shop's profile's own description otherwise; /Info
    // names the profile.
    let identifier = text(intent.get(b"OutputConditionIdentifier").unwrap());
    let expected = match icc.description.as_str() {
        "GRACoL coated #1, CGATS TR 006 (ArgyllCMS build)" => "CGATS TR 006".to_string(),
        "SWOP coated #3, CGATS TR 003 (ArgyllCMS build)" => "CGATS TR 003".to_string(),
        "FOGRA39 coated (ArgyllCMS build)" => "FOGRA39".to_string(),
        _ => icc.description.clone(),
    };
    assert_eq!(
        identifier, expected,
        "{name}: the print condition's identifier"
    );
    assert_eq!(
        text(intent.get(b"Info").unwrap()),
        icc.description,
        "{name}: /Info names the profile"
    );
    assert!(
        !text(intent.get(b"Info").unwrap()).is_empty(),
        "{name}: /Info"
    );
    assert!(!text(intent.get(b"RegistryName").unwrap()).is_empty());

    // Info: version key, trapping, title, dates.
    let info = info(&doc);
    assert_eq!(text(info.get(b"GTS_PDFXVersion").unwrap()), "PDF/X-4");
    assert_eq!(info.get(b"Trapped").unwrap().as_name().unwrap(), b"False");
    let title = text(info.get(b"Title").unwrap());
    assert!(!title.is_empty(), "{name}: title");
    let created = text(info.get(b"CreationDate").unwrap());
    let modified = text(info.get(b"ModDate").unwrap());
    assert_eq!(created, modified, "{name}: ModDate = CreationDate");

    // XMP, saying the same as Info.
    let catalog = doc.catalog().unwrap();
    let metadata = doc
        .dereference(catalog.get(b"Metadata").unwrap())
        .unwrap()
        .1
        .as_stream()
        .unwrap();
    assert_eq!(
        metadata.dict.get(b"Subtype").unwrap().as_name().unwrap(),
        b"XML"
    );
    assert!(
        !metadata.dict.has(b"Filter"),
        "{name}: XMP readable without decoding"
    );
    let xmp = String::from_utf8(metadata.content.clone()).unwrap();
    assert!(xmp.contains(r#"xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/""#));
    let value = |tag: &str| xmp_value(&xmp, tag).unwrap_or_else(|| panic!("{name}: XMP {tag}"));
    assert_eq!(value("pdfxid:GTS_PDFXVersion"), "PDF/X-4");
    assert_eq!(value("pdf:Trapped"), "False");
    assert_eq!(value("dc:title"), title);
    assert_eq!(value("xmp:CreateDate"), iso_date(&created));
    assert_eq!(value("xmp:ModifyDate"), iso_date(&modified));
    assert_eq!(value("xmp:MetadataDate"), iso_date(&modified));
    assert_eq!(value("dc:creator"), text(info.get(b"Author").unwrap()));
    assert_eq!(
        value("xmp:CreatorTool"),
        text(info.get(b"Creator").unwrap())
    );
    assert_eq!(value("dc:description"), text(info.get(b"Subject").unwrap()));
    assert_eq!(value("xmpMM:RenditionClass"), "default");
    assert!(!value("xmpMM:VersionID").is_empty());
    // The XMP IDs are the trailer's, as UUIDs.
    let hex = |o: &Object| -> String {
        o.as_str()
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(
        value("xmpMM:DocumentID").replace(['-'], ""),
        format!("uuid:{}", hex(&id[0]))
    );
    assert_eq!(
        value("xmpMM:InstanceID").replace(['-'], ""),
        format!("uuid:{}", hex(&id[1]))
    );

    // Pages: a TrimBox (and no ArtBox) on every page, and no annotations.
    for (number, page) in doc.get_pages() {
        let page = doc.get_dictionary(page).unwrap();
        assert!(page.has(b"TrimBox"), "{name}: page {number} TrimBox");
        assert!(
            !page.has(b"ArtBox"),
            "{name}: page {number} ArtBox and TrimBox"
        );
        assert!(!page.has(b"Annots"), "{name}: page {number} annotations");
    }

    // Nothing PDF/X forbids, anywhere in the file: device RGB under a CMYK intent,
    // actions and JavaScript, transfer functions and halftones, PostScript, OPI,
    // embedded files, LZW.
    let all = names_and_keys(&doc);
    for forbidden in [
        "DeviceRGB",
        "JavaScript",
        "JS",
        "AA",
        "OpenAction",
        "URI",
        "Launch",
        "TR",
        "TR2",
        "HT",
        "PS",
        "OPI",
        "EmbeddedFiles",
        "LZWDecode",
        "Alternates",
        "Encrypt",
    ] {
        assert!(
            !all.iter().any(|n| n == forbidden.as_bytes()),
            "{name}: /{forbidden} in a PDF/X file"
        );
    }

    // Fonts: every font but Type 3 has its program embedded.
    for object in doc.objects.values() {
        let Ok(font) = object.as_dict() else { continue };
        if font.get(b"Type").and_then(Object::as_name).ok() != Some(b"Font".as_slice()) {
            continue;
        }
        let subtype = font.get(b"Subtype").unwrap().as_name().unwrap();
        if subtype == b"Type3" || subtype == b"Type0" {
            continue; // glyph procedures; or a composite whose descendant is checked itself
        }
        let descriptor = dict(&doc, font.get(b"FontDescriptor").unwrap());
        let program = [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .find_map(|k| descriptor.get(k).ok());
        let Some(program) = program else {
            panic!("{name}: a font is not embedded: {font:?}");
        };
        // Deflated: the writer leaves programs plain only for files it packs itself.
        let program = doc.get_object(program.as_reference().unwrap()).unwrap();
        let filter = program.as_stream().unwrap().dict.get(b"Filter");
        assert_eq!(
            filter.and_then(Object::as_name).ok(),
            Some(b"FlateDecode".as_slice()),
            "{name}: a font program is not deflated"
        );
    }
    identifier
}

fn print_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.retain(|p| p.to_string_lossy().ends_with(".print.pdf"));
    files.sort();
    files
}

#[test]
fn print_files_are_pdfx4_with_the_bundled_profile() {
    let scratch = Scratch::new();
    let output = scratch.run(&["build", "--print", "--county", "alameda", "--year", "2027"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = print_files(&scratch.path().join("out"));
    assert_eq!(files.len(), 3, "{files:?}");
    for path in &files {
        // A California agency's files go to US shops: GRACoL unless told otherwise.
        assert_eq!(assert_pdfx4(path), "CGATS TR 006");
        // The profile in the file is the committed one, byte for byte.
        let doc = Document::load(path).unwrap();
        let profile = doc
            .dereference(output_intent(&doc).0.get(b"DestOutputProfile").unwrap())
            .unwrap()
            .1
            .as_stream()
            .unwrap()
            .decompressed_content()
            .unwrap();
        assert_eq!(
            profile,
            std::fs::read(repo().join("profiles/GRACoL-TR006-argyll.icc")).unwrap()
        );
        // `/Suspects false` (the default) is left out: poppler calls it a syntax error.
        let catalog = doc.catalog().unwrap();
        let mark_info = doc
            .dereference(catalog.get(b"MarkInfo").unwrap())
            .unwrap()
            .1;
        assert!(
            !mark_info.as_dict().unwrap().has(b"Suspects"),
            "{mark_info:?}"
        );
    }
    // Screen files of the same edition have none of it.
    let output = scratch.run(&["build", "--county", "alameda", "--year", "2027"]);
    assert!(output.status.success());
    let screen = Document::load(
        scratch
            .path()
            .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf"),
    )
    .unwrap();
    assert!(!screen.catalog().unwrap().has(b"OutputIntents"));
    assert!(!info(&screen).has(b"GTS_PDFXVersion"));
}

#[test]
fn the_committed_profiles_are_cmyk_output_profiles() {
    for (file, description, source) in [
        (
            "GRACoL-TR006-argyll",
            "GRACoL coated #1, CGATS TR 006 (ArgyllCMS build)",
            "CGATS TR 006",
        ),
        (
            "SWOP-TR003-argyll",
            "SWOP coated #3, CGATS TR 003 (ArgyllCMS build)",
            "CGATS TR 003",
        ),
        (
            "FOGRA39-coated-argyll",
            "FOGRA39 coated (ArgyllCMS build)",
            "FOGRA39",
        ),
    ] {
        let bytes = std::fs::read(repo().join(format!("profiles/{file}.icc"))).unwrap();
        let icc = parse_icc(&bytes);
        assert_eq!((icc.class.as_str(), icc.space.as_str()), ("prtr", "CMYK"));
        assert_eq!(icc.pcs, "Lab ");
        assert_eq!(icc.description, description);
        // Its licence notice ships beside it, naming the data it was built from (the CGATS
        // reports ask that they be identified as the source).
        let notice =
            std::fs::read_to_string(repo().join(format!("profiles/{file}.NOTICE"))).unwrap();
        assert!(
            notice.contains("zlib") && notice.contains("NOT ") && notice.contains(source),
            "{file}.NOTICE"
        );
    }
}

#[test]
fn print_files_with_links_and_images_stay_pdfx4_and_rebuild_identically() {
    // The fixture campaign has URLs (link annotations on screen) and a JPEG logo.
    let build = |out: &Path| {
        let output = run_in(
            &repo(),
            &[
                "build",
                "--print",
                "--content",
                "tests/fixtures",
                // The fixture logos are too coarse for a poster (preflight refuses them
                // there), and fine on the Letter layouts.
                "--layout",
                "flyer-letter",
                "--layout",
                "factsheet-letter",
                "--year",
                "2027",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        print_files(out)
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = build(a.path());
    let second = build(b.path());
    assert!(!first.is_empty());
    assert_eq!(first.len(), second.len());
    let mut images = 0;
    for (x, y) in first.iter().zip(&second) {
        assert_pdfx4(x);
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} differs between two builds",
            x.display()
        );
        // Images are in ICC-based colour, never device RGB.
        let doc = Document::load(x).unwrap();
        for object in doc.objects.values() {
            let Ok(stream) = object.as_stream() else {
                continue;
            };
            if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
                images += 1;
                let cs = stream.dict.get(b"ColorSpace").unwrap();
                let cs = doc.dereference(cs).unwrap().1;
                let family = match cs {
                    Object::Array(a) => a[0].as_name().unwrap().to_vec(),
                    other => other.as_name().unwrap().to_vec(),
                };
                assert!(
                    family == b"ICCBased" || family == b"DeviceCMYK" || family == b"DeviceGray",
                    "{}: image in {}",
                    x.display(),
                    String::from_utf8_lossy(&family)
                );
            }
        }
    }
    assert!(images > 0, "the fixture's logo was printed");
}

/// The colour space resource `cs` names on a page, resolved.
fn colour_space<'a>(doc: &'a Document, page: lopdf::ObjectId, name: &[u8]) -> &'a Object {
    let page_dict = doc.get_dictionary(page).unwrap();
    let resources = dict(doc, page_dict.get(b"Resources").unwrap());
    let spaces = dict(doc, resources.get(b"ColorSpace").unwrap());
    doc.dereference(spaces.get(name).unwrap()).unwrap().1
}

#[test]
fn a_spot_colour_prints_as_a_separation_with_its_cmyk_alternate() {
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        NAVY,
        r##"navy  = { rgb = "#1f2a5c", cmyk = [100, 85, 25, 20], spot = "PANTONE 2766 C" }"##,
    );
    let args = [
        "build",
        "--county",
        "alameda",
        "--year",
        "2027",
        "--layout",
        "flyer-letter",
    ];
    let mut print_args = args.to_vec();
    print_args.push("--print");
    let output = scratch.run(&print_args);
    assert!(output.status.success(), "{}", stderr(&output));
    let path = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/flyer-letter.print.pdf");
    assert_pdfx4(&path);
    let doc = Document::load(&path).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut separations = 0;
    let mut painted_at_full_tint = 0;
    let mut current = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "cs" | "CS" => {
                let name = op.operands[0].as_name().unwrap();
                let space = colour_space(&doc, page, name).as_array().unwrap();
                assert_eq!(space[0].as_name().unwrap(), b"Separation");
                assert_eq!(space[1].as_name().unwrap(), b"PANTONE 2766 C");
                assert_eq!(space[2].as_name().unwrap(), b"DeviceCMYK");
                let function = dict(&doc, &space[3]);
                assert_eq!(function.get(b"FunctionType").unwrap().as_i64().unwrap(), 2);
                let floats = |key: &[u8]| -> Vec<f32> {
                    function
                        .get(key)
                        .unwrap()
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|o| o.as_float().unwrap())
                        .collect()
                };
                assert_eq!(floats(b"C0"), vec![0.0; 4], "no ink at tint 0");
                let navy = [1.0, 216.0 / 255.0, 63.0 / 255.0, 51.0 / 255.0];
                let c1 = floats(b"C1");
                assert!(
                    c1.iter().zip(navy).all(|(a, b)| (a - b).abs() < 0.003),
                    "alternate at full tint is navy's CMYK: {c1:?}"
                );
                separations += 1;
                current = Some(name.to_vec());
            }
            "sc" | "scn" | "SC" | "SCN" if current.is_some() => {
                assert_eq!(op.operands.len(), 1);
                assert_eq!(op.operands[0].as_float().unwrap(), 1.0, "full tint");
                painted_at_full_tint += 1;
            }
            _ => {}
        }
    }
    assert!(
        separations > 0 && painted_at_full_tint > 0,
        "navy is painted as the spot"
    );
    // Navy's process values are not painted any more: only its spot is.
    let navy_k = content.operations.iter().any(|op| {
        (op.operator == "k" || op.operator == "K")
            && (op.operands[1].as_float().unwrap() - 216.0 / 255.0).abs() < 0.003
            && (op.operands[0].as_float().unwrap() - 1.0).abs() < 0.003
    });
    assert!(!navy_k);

    // On screen the colour stays RGB.
    let output = scratch.run(&args);
    assert!(output.status.success());
    let screen = Document::load(
        scratch
            .path()
            .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf"),
    )
    .unwrap();
    let page = *screen.get_pages().values().next().unwrap();
    let ops = Content::decode(&screen.get_page_content(page))
        .unwrap()
        .operations;
    assert!(
        ops.iter()
            .all(|op| op.operator != "cs" && op.operator != "k")
    );
}

#[test]
fn spot_colour_mistakes_are_reported_at_the_colour() {
    let cases = [
        (
            r##"navy  = { rgb = "#1f2a5c", spot = "PANTONE 2766 C" }"##,
            "no CMYK alternate",
        ),
        (
            r##"navy  = { rgb = "#1f2a5c", cmyk = [100, 85, 25, 20], spot = "Black" }"##,
            "process or reserved colorant",
        ),
        (
            r##"navy  = { rgb = "#1f2a5c", cmyk = [100, 85, 25, 20], spot = "PANTONE 2766 C" }
ink2  = { rgb = "#1f2a5d", cmyk = [100, 80, 25, 20], spot = "PANTONE 2766 C" }"##,
            "different CMYK alternates",
        ),
    ];
    for (line, message) in cases {
        let scratch = Scratch::new();
        scratch.edit("layouts/flyer-letter.toml", NAVY, line);
        let output = scratch.run(&["check", "--county", "alameda"]);
        assert_eq!(output.status.code(), Some(2), "{line}");
        let err = stderr(&output);
        assert!(err.contains(message), "{line}: {err}");
        assert!(err.contains("flyer-letter.toml:"), "{err}");
    }
}

fn identifier_of(path: &Path) -> String {
    let doc = Document::load(path).unwrap();
    text(
        output_intent(&doc)
            .0
            .get(b"OutputConditionIdentifier")
            .unwrap(),
    )
}

#[test]
fn another_cmyk_profile_from_icc_or_the_layout() {
    let scratch = Scratch::new();
    std::fs::write(
        scratch.path().join("flag.icc"),
        renamed_profile("Fixture press A (from --icc) ..."),
    )
    .unwrap();
    std::fs::write(
        scratch.path().join("layouts/press.icc"),
        renamed_profile("Fixture press B (from layout) .."),
    )
    .unwrap();
    let flyer = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/flyer-letter.print.pdf");
    let base = [
        "build",
        "--print",
        "--county",
        "alameda",
        "--year",
        "2027",
        "--layout",
        "flyer-letter",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let output = scratch.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
    };

    run(&[]);
    assert_eq!(identifier_of(&flyer), "CGATS TR 006");
    // A bundled profile by name, in any case.
    run(&["--icc", "swop"]);
    assert_eq!(identifier_of(&flyer), "CGATS TR 003");
    run(&["--icc", "FOGRA39"]);
    assert_eq!(identifier_of(&flyer), "FOGRA39");
    assert_pdfx4(&flyer);
    // The flag: the file is rebuilt (the profile is one of its inputs) with the new intent.
    run(&["--icc", "flag.icc"]);
    assert_eq!(identifier_of(&flyer), "Fixture press A (from --icc) ...");
    assert_pdfx4(&flyer);

    // The layout's [print] icc, relative to the layout file.
    let layout = scratch.path().join("layouts/flyer-letter.toml");
    let text = std::fs::read_to_string(&layout).unwrap();
    assert!(
        text.contains("\n[print]\n"),
        "the layout has a [print] table"
    );
    let text = text.replace("\n[print]\n", "\n[print]\nicc = \"press.icc\"\n");
    std::fs::write(&layout, text).unwrap();
    run(&[]);
    assert_eq!(identifier_of(&flyer), "Fixture press B (from layout) ..");
    // The flag still wins.
    run(&["--icc", "flag.icc"]);
    assert_eq!(identifier_of(&flyer), "Fixture press A (from --icc) ...");
}

#[test]
fn an_rgb_or_unreadable_profile_is_refused_with_a_clear_error() {
    let scratch = Scratch::new();
    std::fs::write(
        scratch.path().join("rgb.icc"),
        tiny_profile(b"mntr", b"RGB ", "tiny sRGB-like display profile"),
    )
    .unwrap();
    std::fs::write(scratch.path().join("not.icc"), b"%PDF-1.7 not a profile").unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--print", "--county", "alameda", "--year", "2027"];
        args.extend_from_slice(extra);
        scratch.run(&args)
    };

    let output = build(&["--icc", "rgb.icc"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("--icc `rgb.icc`") && err.contains("display profile for RGB"),
        "{err}"
    );
    assert!(err.contains("CMYK output profile"), "{err}");
    assert!(scratch.outputs().is_empty(), "nothing is built");

    let output = build(&["--icc", "not.icc"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not an ICC profile"),
        "{}",
        stderr(&output)
    );
    let output = build(&["--icc", "missing.icc"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read"),
        "{}",
        stderr(&output)
    );

    // In a layout: the error points at the line.
    std::fs::copy(
        scratch.path().join("rgb.icc"),
        scratch.path().join("layouts/rgb.icc"),
    )
    .unwrap();
    let layout = scratch.path().join("layouts/poster-18x24.toml");
    let text = std::fs::read_to_string(&layout).unwrap();
    assert!(
        text.contains("\n[print]\n"),
        "the layout has a [print] table"
    );
    let text = text.replace("\n[print]\n", "\n[print]\nicc = \"rgb.icc\"\n");
    std::fs::write(&layout, &text).unwrap();
    let output = build(&[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let line = 1 + text.lines().position(|l| l == "icc = \"rgb.icc\"").unwrap();
    assert!(err.contains(&format!("poster-18x24.toml:{line}:")), "{err}");
    assert!(
        err.contains("print.icc") && err.contains("display profile for RGB"),
        "{err}"
    );

    // --icc only means something for print files.
    let output = scratch.run(&["build", "--icc", "rgb.icc"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--print"), "{}", stderr(&output));
}
