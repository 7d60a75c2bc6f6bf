//! Packing a written PDF: its dictionaries into deflated object streams, embedded font
//! programs without the tables a reader never reads, then the `lean` rounding.

use crate::diag::Diagnostic;
use crate::memo::SeenTwiceMemo;

/// Rewrites krilla's file with its dictionaries — the structure tree (one object per
/// tagged element), font dictionaries and widths, page tree, annotations, outline — packed
/// into deflated object streams behind a cross-reference stream (PDF 1.5). Streams (fonts,
/// content, XMP) are copied as they are. A third of a tagged flyer's bytes were those
/// dictionaries written out uncompressed; readers and validators see the same objects.
/// Then [`crate::lean`] rounds the page content's numbers and, unless the file is archival,
/// drops what only PDF/A asks for; the cross-reference stream is deflated too.
pub fn pack_objects(bytes: &[u8], archival: bool) -> Result<Vec<u8>, Diagnostic> {
    let mut pdf = lopdf::Document::load_mem(bytes)
        .map_err(|e| Diagnostic::error(format!("cannot re-read the PDF to pack it: {e}")))?;
    slim_font_programs(&mut pdf);
    crate::lean::lean_screen_file(&mut pdf, archival);
    let mut out = Vec::with_capacity(bytes.len());
    pdf.save_with_options(&mut out, save_options())
        .map_err(|e| Diagnostic::error(format!("cannot pack the PDF: {e}")))?;
    Ok(crate::lean::deflate_xref_stream(
        crate::lean::deflate_object_stream(out),
    ))
}

/// How lopdf writes a packed file: every dictionary in one object stream (deflate finds
/// the repeats across elements), written undeflated for `lean` to deflate with the
/// thread's deflater, behind a cross-reference stream.
pub(crate) fn save_options() -> lopdf::SaveOptions {
    lopdf::SaveOptions {
        use_object_streams: true,
        use_xref_streams: true,
        object_stream_config: lopdf::ObjectStreamConfig {
            max_objects_per_stream: 100_000,
            compression_level: 0,
        },
        ..lopdf::SaveOptions::default()
    }
}

/// Drops the `name` and `post` tables from every embedded TrueType subset and deflates it
/// at `lean`'s level. A PDF reader draws a CID-keyed TrueType font from its glyf, loca,
/// hmtx, head, hhea and maxp tables; the names (copyright, the licence's long text, URLs:
/// about 1.5 KB a face) and PostScript glyph names are never read from an embedded
/// subset, whose family and style the font dictionary gives. A font we cannot take apart
/// is left as it is.
fn slim_font_programs(pdf: &mut lopdf::Document) {
    let programs: Vec<lopdf::ObjectId> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has_type(b"FontDescriptor"))
        .filter_map(|d| {
            d.get(b"FontFile2")
                .and_then(lopdf::Object::as_reference)
                .ok()
        })
        .collect();
    for id in programs {
        let Ok(lopdf::Object::Stream(stream)) = pdf.get_object_mut(id) else {
            continue;
        };
        // The documents of a run embed the same subsets: krilla's bytes for one slimmed
        // before are slimmed as they were then, without taking them apart again.
        let key = krilla_program_key(stream);
        if let Some(key) = key
            && let Some(known) = SLIMMED.lock().ok().and_then(|memo| memo.get(&key))
        {
            if let Some(slimmed) = known {
                slimmed.apply(stream);
            }
            continue;
        }
        let slimmed = stream
            .decompressed_content()
            .ok()
            .and_then(|font| without_tables(&font, &[*b"name", *b"post"]))
            .map(|slim| {
                stream.set_plain_content(slim);
                // Deflated again with `lean`'s deflater, as every stream we write is.
                crate::lean::compress(stream);
                Slimmed::of(stream)
            });
        if let Some(key) = key
            && let Ok(mut memo) = SLIMMED.lock()
        {
            let size = slimmed.as_ref().map_or(0, |s| s.content.len());
            memo.offer(key, slimmed, size);
        }
    }
}

/// Font programs slimmed in this process, by what identifies the stream krilla wrote (see
/// [`krilla_program_key`]): `None` for one that could not be taken apart (left as krilla
/// wrote it). Remembered from a program's second sight, at most 1 MiB of them (see
/// [`SeenTwiceMemo`]).
static SLIMMED: std::sync::LazyLock<std::sync::Mutex<SeenTwiceMemo<ProgramKey, Option<Slimmed>>>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(SeenTwiceMemo::new(1 << 20, 1 << 14)));

type ProgramKey = ([u8; 32], usize, bool);

/// A slimmed font program as its stream ends up: its bytes, and whether they are deflated.
#[derive(Clone)]
struct Slimmed {
    content: std::sync::Arc<[u8]>,
    deflated: bool,
}

impl Slimmed {
    fn of(stream: &lopdf::Stream) -> Slimmed {
        Slimmed {
            content: stream.content.as_slice().into(),
            deflated: stream.dict.get(b"Filter").is_ok(),
        }
    }

    /// Makes `stream` what slimming it gave before.
    fn apply(&self, stream: &mut lopdf::Stream) {
        stream.set_plain_content(self.content.to_vec());
        if self.deflated {
            stream.dict.set("Filter", "FlateDecode");
        }
    }
}

/// What identifies the font program krilla wrote, as krilla writes them (plain in a screen
/// file, or deflated with no parameters): the SHA-256 of its bytes, their length and
/// whether they are deflated. `None` for any other stream, which is slimmed without the
/// memo.
fn krilla_program_key(stream: &lopdf::Stream) -> Option<ProgramKey> {
    use sha2::Digest as _;
    let deflated = match stream.dict.get(b"Filter") {
        Err(_) => false,
        Ok(lopdf::Object::Name(name)) if name == b"FlateDecode" => true,
        Ok(_) => return None,
    };
    if stream.dict.has(b"DecodeParms") {
        return None;
    }
    let digest = sha2::Sha256::digest(&stream.content);
    Some((digest.into(), stream.content.len(), deflated))
}

/// An OpenType/TrueType file without the tables named in `drop`, with its table directory,
/// checksums and `head.checkSumAdjustment` made anew; `None` when there was nothing to drop
/// or the file is not one we can read.
fn without_tables(font: &[u8], drop: &[[u8; 4]]) -> Option<Vec<u8>> {
    let be16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            font.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let be32 = |at: usize| -> Option<usize> {
        Some(u32::from_be_bytes(font.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let count = be16(4)?;
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::with_capacity(count);
    for i in 0..count {
        let record = 12 + 16 * i;
        let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
        let (offset, length) = (be32(record + 8)?, be32(record + 12)?);
        if !drop.contains(&tag) {
            tables.push((tag, font.get(offset..offset.checked_add(length)?)?));
        }
    }
    if tables.len() == count {
        return None;
    }
    fn checksum(data: &[u8]) -> u32 {
        data.chunks(4).fold(0u32, |sum, chunk| {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            sum.wrapping_add(u32::from_be_bytes(word))
        })
    }
    let n = u16::try_from(tables.len()).ok()?;
    let log2 = 15 - n.leading_zeros() as u16;
    let search_range = (1u16 << log2) * 16;
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(font.get(0..4)?);
    for field in [n, search_range, log2, n * 16 - search_range] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    let directory = out.len();
    out.resize(directory + 16 * tables.len(), 0);
    let mut head_at = None;
    for (i, (tag, data)) in tables.iter().enumerate() {
        let offset = out.len();
        out.extend_from_slice(data);
        if tag == b"head" && data.len() >= 12 {
            out[offset + 8..offset + 12].fill(0); // summed with the adjustment zeroed
            head_at = Some(offset + 8);
        }
        let sum = checksum(&out[offset..]);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let record = directory + 16 * i;
        out[record..record + 4].copy_from_slice(tag);
        out[record + 4..record + 8].copy_from_slice(&sum.to_be_bytes());
        out[record + 8..record + 12].copy_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        out[record + 12..record + 16]
            .copy_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at..at + 4].copy_from_slice(&adjustment.to_be_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Object, Stream, dictionary};

    fn builtin_font(name: &str) -> &'static [u8] {
        crate::assets::FONTS
            .iter()
            .find(|(path, _)| path.ends_with(name))
            .map(|(_, bytes)| *bytes)
            .expect("a built-in font")
    }

    /// A document with `font` embedded as krilla embeds it in a screen file: plain, behind
    /// a descriptor.
    fn embedding(font: &[u8]) -> lopdf::Document {
        let mut pdf = lopdf::Document::with_version("1.7");
        let program = pdf.add_object(Stream::new(dictionary! {}, font.to_vec()));
        pdf.add_object(dictionary! { "Type" => "FontDescriptor", "FontFile2" => program });
        pdf
    }

    fn program(pdf: &lopdf::Document) -> &Stream {
        pdf.objects
            .values()
            .find_map(|o| match o {
                Object::Stream(s) => Some(s),
                _ => None,
            })
            .unwrap()
    }

    /// The memo's key for `font` as krilla embeds it.
    fn key_of(font: &[u8]) -> ProgramKey {
        krilla_program_key(program(&embedding(font))).expect("plain as krilla writes it")
    }

    /// The embedded program's stream after slimming: its dictionary and its bytes.
    fn slimmed(font: &[u8]) -> (lopdf::Dictionary, Vec<u8>) {
        let mut pdf = embedding(font);
        slim_font_programs(&mut pdf);
        let stream = program(&pdf);
        (stream.dict.clone(), stream.content.clone())
    }

    fn table_tags(font: &[u8]) -> Vec<[u8; 4]> {
        let count = usize::from(u16::from_be_bytes([font[4], font[5]]));
        (0..count)
            .map(|i| font[12 + 16 * i..16 + 16 * i].try_into().unwrap())
            .collect()
    }

    /// A program two documents of a run embed is remembered, and the third document's,
    /// from memory, is byte for byte the first's; another program is slimmed on its own.
    #[test]
    fn a_program_slimmed_again_from_memory_is_the_one_slimmed_first() {
        let semibold = builtin_font("Oswald-SemiBold.ttf");
        let bold = builtin_font("Oswald-Bold.ttf");
        let remembered = |font| SLIMMED.lock().unwrap().remembers(&key_of(font));
        let first = slimmed(semibold);
        assert!(!remembered(semibold), "remembered the first time");
        assert_eq!(slimmed(semibold), first);
        assert!(remembered(semibold), "not remembered the second time");
        assert_eq!(slimmed(semibold), first);
        let other = slimmed(bold);
        assert!(!remembered(bold));
        assert_ne!(other.1, first.1);
        for ((dict, content), original) in [(first, semibold), (other, bold)] {
            assert!(dict.has(b"Filter"));
            let plain = Stream::new(dict, content).decompressed_content().unwrap();
            let tags = table_tags(&plain);
            assert!(
                !tags.contains(b"name") && !tags.contains(b"post"),
                "{tags:?}"
            );
            assert_eq!(tags.len() + 2, table_tags(original).len());
            // The glyphs are the original's.
            let glyphs = |font: &[u8]| ttf_parser::Face::parse(font, 0).unwrap().number_of_glyphs();
            assert_eq!(glyphs(&plain), glyphs(original));
        }
    }
}
