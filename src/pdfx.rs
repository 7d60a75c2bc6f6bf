//! PDF/X-4 for print-mode files: a post-step on krilla's PDF, with lopdf.
//!
//! krilla writes the pages (PDF 1.6, colours in DeviceCMYK or Separation, no device RGB;
//! see [`krilla_settings`]) but no PDF/X output intent. [`convert`] loads its bytes and
//! adds what ISO 15930-7 (PDF/X-4) asks of the document as a whole:
//!
//! - a `/GTS_PDFX` output intent in the catalog naming the print condition
//!   (`/OutputConditionIdentifier` the registry's name for a bundled profile's data, such
//!   as "CGATS TR 006" for GRACoL, a shop's profile's description otherwise; `/Info` the profile's description;
//!   `/RegistryName`) with the CMYK output profile embedded as `/DestOutputProfile`
//!   (an ICC stream, `/N 4`);
//! - `/GTS_PDFXVersion (PDF/X-4)` and `/Trapped /False` in the document information
//!   dictionary, whose dates krilla already sets (`/ModDate` = `/CreationDate`);
//! - an XMP metadata stream that says the same things (`pdfxid:GTS_PDFXVersion`,
//!   `pdf:Trapped`, `dc:title`, `xmp:CreateDate`/`ModifyDate`/`MetadataDate`,
//!   `xmpMM:DocumentID`/`InstanceID`/`VersionID`/`RenditionClass`), replacing krilla's;
//! - a trailer `/ID` whose two halves match the XMP document and instance IDs;
//! - no annotations but printer's marks and trap networks: PDF/X keeps other annotations
//!   out of the bleed box, and a printed sheet has no links to follow;
//! - overprint for everything painted in 100 K alone (text black, see [`overprint_black`]):
//!   krilla cannot set overprint, so the step adds the graphics states itself.
//!
//! It checks, and refuses to convert without, a `/TrimBox` on every page and an
//! unencrypted file. The output depends only on its input, so rebuilds stay
//! byte-identical.

pub mod icc;

pub use icc::IccProfile;

use crate::diag::Diagnostic;
use lopdf::{Dictionary, Document, Object, StringFormat, dictionary};
use sha2::{Digest, Sha256};

/// The version PDF/X-4 files declare, in the Info dictionary and the XMP.
pub const PDFX_VERSION: &str = "PDF/X-4";
/// The registry output condition identifiers refer to.
pub const REGISTRY: &str = "http://www.color.org";

/// krilla's settings for a print file: PDF 1.6 (the version PDF/X-4 is based on), and RGB
/// or grey that is not a palette colour (an image, a transparency group) in ICC-based
/// colour spaces rather than device RGB, which a CMYK output intent does not allow.
/// Palette colours stay DeviceCMYK: krilla keeps CMYK device colours when it has no
/// CMYK profile of its own.
pub fn krilla_settings() -> krilla::SerializeSettings {
    use krilla::configure::{ConfigurationBuilder, PdfVersion};
    krilla::SerializeSettings {
        no_device_cs: true,
        configuration: ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf16)
            .finish()
            .expect("PDF 1.6 without validators is a valid configuration"),
        ..krilla::SerializeSettings::default()
    }
}

/// Turns krilla's print PDF into PDF/X-4 with `profile` as the output intent.
/// `document_key` names the document across rebuilds (campaign, edition, language, layout,
/// year); it seeds the XMP document ID.
pub fn convert(
    pdf: &[u8],
    profile: &IccProfile,
    document_key: &str,
) -> Result<Vec<u8>, Diagnostic> {
    to_pdfx(pdf, profile, document_key).map_err(|e| {
        Diagnostic::error(e)
            .hint("the print file could not be made PDF/X-4; the screen file is unaffected")
    })
}

fn to_pdfx(pdf: &[u8], profile: &IccProfile, document_key: &str) -> Result<Vec<u8>, String> {
    let fail = |what: &str, e: lopdf::Error| format!("PDF/X-4 step: {what}: {e}");
    let mut doc = Document::load_mem(pdf).map_err(|e| fail("cannot read krilla's PDF", e))?;
    if doc.is_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err("PDF/X-4 step: the PDF is encrypted, which PDF/X forbids".into());
    }
    doc.version = "1.6".into();

    let pages = doc.get_pages();
    for (&number, &page) in &pages {
        let dict = doc
            .get_dictionary(page)
            .map_err(|e| fail("page dictionary", e))?;
        if !dict.has(b"TrimBox") {
            return Err(format!(
                "PDF/X-4 step: page {number} has no TrimBox; print pages must have one"
            ));
        }
    }
    if strip_annotations(&mut doc, pages.values().copied()) {
        doc.prune_objects();
    }
    overprint_black(&mut doc, pages.values().copied())?;
    crate::lean::drop_false_suspects(&mut doc);

    // Document and instance IDs: the document's from its key, the instance's from the
    // bytes it was made from and the profile, so the same inputs give the same IDs.
    let document_id = digest16(&[b"broadside document ", document_key.as_bytes()]);
    let instance_id = digest16(&[pdf, profile.sha256.as_bytes()]);
    doc.trailer.set(
        "ID",
        vec![
            Object::String(document_id.to_vec(), StringFormat::Hexadecimal),
            Object::String(instance_id.to_vec(), StringFormat::Hexadecimal),
        ],
    );

    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    let info = doc
        .get_dictionary_mut(info_id)
        .map_err(|e| fail("document information dictionary", e))?;
    let text = |key: &[u8]| {
        info.get(key)
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
            .filter(|s| !s.is_empty())
    };
    let title = text(b"Title").ok_or("PDF/X-4 step: the document has no title")?;
    let created = text(b"CreationDate")
        .ok_or("PDF/X-4 step: the document has no creation date")?
        .to_string();
    let created_xmp = xmp_date(&created)
        .ok_or_else(|| format!("PDF/X-4 step: cannot read the creation date `{created}`"))?;
    let metadata = XmpFields {
        title,
        subject: text(b"Subject"),
        author: text(b"Author"),
        creator: text(b"Creator"),
        producer: text(b"Producer"),
    };
    let modified = text(b"ModDate").unwrap_or_else(|| created.clone());
    let modified_xmp = xmp_date(&modified)
        .ok_or_else(|| format!("PDF/X-4 step: cannot read the modification date `{modified}`"))?;
    info.set("ModDate", Object::string_literal(modified.as_str()));
    info.set("GTS_PDFXVersion", Object::string_literal(PDFX_VERSION));
    info.set("Trapped", Object::Name(b"False".to_vec()));

    // The output intent with its profile.
    let profile_id = doc.add_object(profile_stream(profile));
    let (identifier, condition) = profile.output_condition();
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFX",
        "OutputConditionIdentifier" => lopdf::text_string(&identifier),
        "OutputCondition" => lopdf::text_string(&condition),
        "Info" => lopdf::text_string(&profile.description),
        "RegistryName" => Object::string_literal(REGISTRY),
        "DestOutputProfile" => profile_id,
    };
    let intent_id = doc.add_object(intent);

    let lang = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Lang").ok())
        .and_then(|o| lopdf::decode_text_string(o).ok());
    let xmp = xmp_packet(
        &metadata,
        lang.as_deref(),
        created_xmp,
        modified_xmp,
        pages.len() as u32,
        &uuid(&document_id),
        &uuid(&instance_id),
    );
    let mut stream = lopdf::Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp.into_bytes(),
    );
    stream.allows_compression = false;
    let old_metadata = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|o| o.as_reference().ok());
    let metadata_id = match old_metadata {
        Some(id) => {
            doc.objects.insert(id, Object::Stream(stream));
            id
        }
        None => doc.add_object(stream),
    };
    let catalog = doc.catalog_mut().map_err(|e| fail("catalog", e))?;
    catalog.set("Metadata", metadata_id);
    catalog.set("OutputIntents", vec![Object::Reference(intent_id)]);

    let mut out = Vec::with_capacity(pdf.len() + profile.bytes().len());
    doc.save_to(&mut out)
        .map_err(|e| format!("PDF/X-4 step: cannot write the PDF: {e}"))?;
    Ok(out)
}

/// Removes every annotation except printer's marks and trap networks from the pages;
/// true if any went.
fn strip_annotations(doc: &mut Document, pages: impl Iterator<Item = lopdf::ObjectId>) -> bool {
    let mut removed = false;
    for page in pages.collect::<Vec<_>>() {
        let Ok(annots) = doc
            .get_dictionary(page)
            .and_then(|p| p.get(b"Annots"))
            .and_then(|a| doc.dereference(a))
            .and_then(|(_, a)| a.as_array())
            .cloned()
        else {
            continue;
        };
        let keep: Vec<Object> = annots
            .iter()
            .filter(|a| {
                let subtype = doc
                    .dereference(a)
                    .and_then(|(_, a)| a.as_dict())
                    .and_then(|d| d.get(b"Subtype"))
                    .and_then(Object::as_name);
                matches!(subtype, Ok(b"PrinterMark" | b"TrapNet"))
            })
            .cloned()
            .collect();
        if keep.len() == annots.len() {
            continue;
        }
        removed = true;
        if let Ok(dict) = doc.get_dictionary_mut(page) {
            if keep.is_empty() {
                dict.remove(b"Annots");
            } else {
                dict.set("Annots", keep);
            }
        }
    }
    removed
}

/// Names of the graphics states [`overprint_black`] adds: overprint for fills, for
/// strokes, for both, and neither.
const OVERPRINT_STATES: [(&[u8], bool, bool); 4] = [
    (b"BroadsideOverprintFill", true, false),
    (b"BroadsideOverprintStroke", false, true),
    (b"BroadsideOverprintBoth", true, true),
    (b"BroadsideKnockout", false, false),
];

/// Makes everything painted in 100 K alone (`0 0 0 1 k` / `K`) overprint: text black then
/// prints over a tint or a photo without a white gap where the plates misregister, as
/// prepress applications do for their black by default. Other colours knock out as usual.
///
/// Walks each page's content stream and, wherever a colour operator changes whether the
/// fill or the stroke colour is 100 K, sets a graphics state with `/op` (fill) and `/OP`
/// (stroke) to match, with `/OPM 1` so the zero C, M and Y leave the inks below alone.
/// Overprint is part of the graphics state, so `q`/`Q` save and restore it together with
/// the colour.
pub fn overprint_black(
    doc: &mut Document,
    pages: impl Iterator<Item = lopdf::ObjectId>,
) -> Result<(), String> {
    use lopdf::content::{Content, Operation};
    let fail = |what: &str, e: lopdf::Error| format!("PDF/X-4 step: {what}: {e}");
    let mut states: Option<[lopdf::ObjectId; 4]> = None;
    for page in pages.collect::<Vec<_>>() {
        let content = doc
            .get_and_decode_page_content(page)
            .map_err(|e| fail("cannot read a page's content", e))?;
        // (fill is 100 K, stroke is 100 K) as set, and as the overprint state has it.
        #[derive(Clone, Copy)]
        struct State {
            colour: (bool, bool),
            overprint: (bool, bool),
        }
        let mut state = State {
            colour: (false, false),
            overprint: (false, false),
        };
        let mut saved = Vec::new();
        let mut operations = Vec::with_capacity(content.operations.len());
        let mut changed = false;
        for op in content.operations {
            let k_only = |op: &Operation| {
                let values: Vec<f32> = op
                    .operands
                    .iter()
                    .filter_map(|o| o.as_float().ok())
                    .collect();
                values == [0.0, 0.0, 0.0, 1.0]
            };
            let colour = match op.operator.as_str() {
                "q" => {
                    saved.push(state);
                    None
                }
                "Q" => {
                    state = saved.pop().unwrap_or(state);
                    None
                }
                "k" => Some((k_only(&op), state.colour.1)),
                "K" => Some((state.colour.0, k_only(&op))),
                "g" | "rg" | "sc" | "scn" | "cs" => Some((false, state.colour.1)),
                "G" | "RG" | "SC" | "SCN" | "CS" => Some((state.colour.0, false)),
                _ => None,
            };
            operations.push(op);
            let Some(colour) = colour else { continue };
            state.colour = colour;
            if state.overprint != colour {
                let name = OVERPRINT_STATES
                    .iter()
                    .find(|(_, fill, stroke)| (*fill, *stroke) == colour)
                    .map(|(name, ..)| *name)
                    .expect("all four combinations are named");
                operations.push(Operation::new("gs", vec![Object::Name(name.to_vec())]));
                state.overprint = colour;
                changed = true;
            }
        }
        if !changed {
            continue;
        }
        let ids = *states.get_or_insert_with(|| {
            OVERPRINT_STATES.map(|(_, fill, stroke)| {
                doc.add_object(dictionary! {
                    "Type" => "ExtGState",
                    "op" => fill,
                    "OP" => stroke,
                    "OPM" => 1,
                })
            })
        });
        for ((name, ..), id) in OVERPRINT_STATES.iter().zip(ids) {
            doc.add_graphics_state(page, *name, id)
                .map_err(|e| fail("cannot add the overprint states to a page", e))?;
        }
        let bytes = Content { operations }
            .encode()
            .map_err(|e| fail("cannot write a page's content", e))?;
        doc.change_page_content(page, bytes)
            .map_err(|e| fail("cannot replace a page's content", e))?;
    }
    Ok(())
}

/// The embedded profile as an ICC stream, compressed once per profile.
fn profile_stream(profile: &IccProfile) -> lopdf::Stream {
    let (filtered, content) = profile.deflated.get_or_init(|| {
        let mut stream = lopdf::Stream::new(Dictionary::new(), profile.bytes().to_vec());
        let _ = stream.compress();
        (stream.dict.has(b"Filter"), stream.content)
    });
    let mut dict = dictionary! { "N" => 4 };
    if *filtered {
        dict.set("Filter", "FlateDecode");
    }
    let mut stream = lopdf::Stream::new(dict, content.clone());
    stream.allows_compression = false;
    stream
}

/// The first 16 bytes of the SHA-256 of the parts.
fn digest16(parts: &[&[u8]]) -> [u8; 16] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
    }
    hash.finalize()[..16].try_into().expect("16 bytes")
}

/// 16 bytes as a UUID URN, the usual form of XMP IDs.
fn uuid(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The Info dictionary's text entries that the XMP repeats.
struct XmpFields {
    title: String,
    subject: Option<String>,
    author: Option<String>,
    creator: Option<String>,
    producer: Option<String>,
}

fn xmp_packet(
    fields: &XmpFields,
    lang: Option<&str>,
    created: xmp_writer::DateTime,
    modified: xmp_writer::DateTime,
    pages: u32,
    document_id: &str,
    instance_id: &str,
) -> String {
    use xmp_writer::{LangId, RenditionClass, XmpWriter};
    let mut xmp = XmpWriter::new();
    xmp.title([(None, fields.title.as_str())]);
    if let Some(subject) = &fields.subject {
        xmp.description([(None, subject.as_str())]);
    }
    if let Some(author) = &fields.author {
        xmp.creator([author.as_str()]);
    }
    if let Some(lang) = lang {
        xmp.language([LangId(lang)]);
    }
    xmp.format("application/pdf");
    if let Some(creator) = &fields.creator {
        xmp.creator_tool(creator);
    }
    xmp.create_date(created);
    xmp.modify_date(modified);
    xmp.metadata_date(modified);
    xmp.num_pages(pages);
    xmp.document_id(document_id);
    xmp.instance_id(instance_id);
    xmp.version_id("1");
    xmp.rendition_class(RenditionClass::Default);
    xmp.pdf_version("1.6");
    if let Some(producer) = &fields.producer {
        xmp.producer(producer);
    }
    xmp.trapped(false);
    xmp.pdfx_version(PDFX_VERSION);
    xmp.finish(None)
}

/// A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, everything after the year optional) as an XMP
/// date.
fn xmp_date(pdf: &str) -> Option<xmp_writer::DateTime> {
    let s = pdf.strip_prefix("D:").unwrap_or(pdf);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 4 || digits % 2 == 1 || digits > 14 {
        return None;
    }
    let part =
        |at: usize| -> Option<u8> { (at + 2 <= digits).then(|| s[at..at + 2].parse().ok())? };
    let timezone = match s.as_bytes().get(digits) {
        None => None,
        Some(b'Z') => Some(xmp_writer::Timezone::Utc),
        Some(&sign @ (b'+' | b'-')) => {
            let rest: String = s[digits + 1..]
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let hour: i8 = rest.get(0..2)?.parse().ok()?;
            let minute: i8 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let sign = if sign == b'-' { -1 } else { 1 };
            Some(xmp_writer::Timezone::Local {
                hour: sign * hour,
                minute: sign * minute,
            })
        }
        Some(_) => return None,
    };
    Some(xmp_writer::DateTime {
        year: s[0..4].parse().ok()?,
        month: part(4),
        day: part(6),
        hour: part(8),
        minute: part(10),
        second: part(12),
        timezone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_become_xmp_dates() {
        let d = xmp_date("D:20270101000000Z").unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour),
            (2027, Some(1), Some(1), Some(0))
        );
        assert_eq!(d.timezone, Some(xmp_writer::Timezone::Utc));
        let d = xmp_date("D:20260315093000-08'00'").unwrap();
        assert_eq!(d.minute, Some(30));
        assert_eq!(
            d.timezone,
            Some(xmp_writer::Timezone::Local {
                hour: -8,
                minute: 0
            })
        );
        let d = xmp_date("D:2026").unwrap();
        assert_eq!((d.year, d.month, d.timezone), (2026, None, None));
        assert!(xmp_date("yesterday").is_none());
        assert!(xmp_date("D:202").is_none());
    }

    #[test]
    fn ids_look_like_uuids() {
        let id = uuid(&digest16(&[b"x"]));
        assert_eq!(id.len(), "uuid:".len() + 36);
        assert_eq!(id.matches('-').count(), 4);
    }

    /// A one-page krilla print PDF with a link, like `render::to_pdf` makes.
    fn krilla_pdf(trim: bool) -> Vec<u8> {
        use krilla::geom::{Rect, Size};
        let mut pdf = krilla::Document::new_with(krilla_settings());
        let mut settings = krilla::page::PageSettings::new(Size::from_wh(200.0, 200.0).unwrap());
        if trim {
            settings = settings.with_trim_box(Rect::from_xywh(20.0, 20.0, 160.0, 160.0));
        }
        let mut page = pdf.start_page_with(settings);
        page.add_annotation(krilla::annotation::Annotation::new_link(
            krilla::annotation::LinkAnnotation::new(
                Rect::from_xywh(30.0, 30.0, 50.0, 10.0).unwrap(),
                krilla::annotation::Target::Action(
                    krilla::action::LinkAction::new("https://example.org".into()).into(),
                ),
            ),
            None,
        ));
        page.finish();
        pdf.set_metadata(
            krilla::metadata::Metadata::new()
                .title("A <title> & more".into())
                .creation_date(krilla::metadata::DateTime::new(2027).month(1).day(1)),
        );
        pdf.finish().unwrap()
    }

    #[test]
    fn converts_a_krilla_pdf_and_is_deterministic() {
        let input = krilla_pdf(true);
        let profile = IccProfile::default_print();
        let out = convert(&input, &profile, "key").unwrap();
        assert_eq!(out, convert(&input, &profile, "key").unwrap());
        assert!(out.starts_with(b"%PDF-1.6"));

        let doc = Document::load_mem(&out).unwrap();
        let catalog = doc.catalog().unwrap();
        let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
        assert_eq!(intents.len(), 1);
        let intent = doc.dereference(&intents[0]).unwrap().1.as_dict().unwrap();
        assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFX");
        let (_, icc) = doc
            .dereference(intent.get(b"DestOutputProfile").unwrap())
            .unwrap();
        let icc = icc.as_stream().unwrap();
        assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 4);
        assert_eq!(icc.decompressed_content().unwrap(), profile.bytes());

        let (_, meta) = doc.dereference(catalog.get(b"Metadata").unwrap()).unwrap();
        let xmp = String::from_utf8(meta.as_stream().unwrap().content.clone()).unwrap();
        assert!(xmp.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"));
        assert!(xmp.contains("A &lt;title&gt; &amp; more"), "{xmp}");
        assert!(xmp.contains("<pdf:Trapped>False</pdf:Trapped>"));

        // The link is gone, and so is its action.
        let page = *doc.get_pages().values().next().unwrap();
        assert!(!doc.get_dictionary(page).unwrap().has(b"Annots"));
        assert!(!String::from_utf8_lossy(&out).contains("example.org"));

        // Another document key, another document ID; same instance.
        let other = Document::load_mem(&convert(&input, &profile, "other").unwrap()).unwrap();
        let ids = |d: &Document| d.trailer.get(b"ID").unwrap().as_array().unwrap().clone();
        assert_ne!(ids(&doc)[0], ids(&other)[0]);
        assert_eq!(ids(&doc)[1], ids(&other)[1]);
    }

    #[test]
    fn refuses_pages_without_a_trim_box() {
        let e = convert(&krilla_pdf(false), &IccProfile::default_print(), "k").unwrap_err();
        assert!(e.message.contains("TrimBox"), "{e:?}");
    }
}
