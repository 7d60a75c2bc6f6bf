//! ICC profiles for the PDF/X output intent: just enough of the ICC header and tag table
//! (ICC.1, versions 2 and 4) to check that a file is a CMYK output profile and to read its
//! description, which becomes the output intent's condition identifier.
//!
//! Three print profiles are built into the binary, each our own ArgyllCMS build of public
//! characterization data (see `profiles/*.NOTICE` and `tools/make-icc.sh`): GRACoL, the
//! default (US commercial sheetfed offset on grade 1 coated paper, CGATS TR 006), SWOP (US
//! publication web offset on grade 3 coated paper, CGATS TR 003) and FOGRA39 (European
//! offset on coated paper). `--icc` and `[print] icc` take one of their names or a file.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A print profile built into the binary, and the print condition it characterizes as the
/// ICC's registry of characterization data names it: a press's RIP matches the output
/// intent's identifier against the registry (the profile's own description says whose
/// build it is).
pub struct BundledProfile {
    /// What `--icc` and `[print] icc` call it (matched without regard to case).
    pub name: &'static str,
    pub bytes: &'static [u8],
    /// The registry's reference name: the output intent's `/OutputConditionIdentifier`.
    pub identifier: &'static str,
    /// The output intent's `/OutputCondition`.
    pub condition: &'static str,
}

/// The bundled print profiles, the default first. A California agency's files go to US
/// shops, which print to GRACoL (sheetfed, the usual run for flyers and posters) or SWOP
/// (web presses); FOGRA39 is Europe's.
pub const BUNDLED: [BundledProfile; 3] = [
    BundledProfile {
        name: "GRACoL",
        bytes: include_bytes!("../../profiles/GRACoL-TR006-argyll.icc"),
        identifier: "CGATS TR 006",
        condition: "GRACoL: commercial offset lithography on grade 1 coated paper (ISO 12647-2 paper type 1), CGATS TR 006",
    },
    BundledProfile {
        name: "SWOP",
        bytes: include_bytes!("../../profiles/SWOP-TR003-argyll.icc"),
        identifier: "CGATS TR 003",
        condition: "SWOP: publication web offset on grade 3 coated paper, CGATS TR 003",
    },
    BundledProfile {
        name: "FOGRA39",
        bytes: include_bytes!("../../profiles/FOGRA39-coated-argyll.icc"),
        identifier: "FOGRA39",
        condition: "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)",
    },
];

/// The bytes of the default print profile.
pub const DEFAULT_PROFILE: &[u8] = BUNDLED[0].bytes;

/// The bundled profiles' names, for messages: "GRACoL, SWOP or FOGRA39".
pub fn bundled_names() -> String {
    let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
    let (last, rest) = names.split_last().expect("profiles are bundled");
    format!("{} or {last}", rest.join(", "))
}

/// A parsed ICC profile whose bytes go into the PDF unchanged.
#[derive(Clone)]
pub struct IccProfile {
    bytes: Arc<[u8]>,
    /// The profile's description tag, e.g. "FOGRA39 coated (ArgyllCMS build)".
    pub description: String,
    /// Device class: `prtr` (output), `mntr` (display), `scnr` (input) …
    pub class: [u8; 4],
    /// Data colour space: `CMYK`, `RGB `, `GRAY` …
    pub color_space: [u8; 4],
    /// Profile connection space: `Lab ` or `XYZ `.
    pub pcs: [u8; 4],
    /// Major and minor version (e.g. 2.2, 4.3).
    pub version: (u8, u8),
    /// SHA-256 of the bytes, for the inputs hash of print files.
    pub sha256: String,
    /// The bytes deflated for the PDF (and whether deflating helped), made once.
    pub(crate) deflated: Arc<OnceLock<(bool, Vec<u8>)>>,
    /// The profile's colour conversions, for a print profile ([`IccProfile::for_print`]).
    press: Option<Arc<crate::color::Press>>,
}

impl fmt::Debug for IccProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IccProfile")
            .field("description", &self.description)
            .field("class", &String::from_utf8_lossy(&self.class))
            .field("color_space", &String::from_utf8_lossy(&self.color_space))
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl PartialEq for IccProfile {
    fn eq(&self, other: &Self) -> bool {
        self.sha256 == other.sha256
    }
}

/// Each bundled profile parsed once, when first used.
static LOADED: [OnceLock<Arc<IccProfile>>; BUNDLED.len()] =
    [const { OnceLock::new() }; BUNDLED.len()];

fn loaded(index: usize) -> Arc<IccProfile> {
    LOADED[index]
        .get_or_init(|| {
            Arc::new(
                IccProfile::for_print(BUNDLED[index].bytes.to_vec())
                    .expect("a bundled print profile is a CMYK output profile"),
            )
        })
        .clone()
}

/// The largest output profile file read (press profiles are a few MB at most).
pub const MAX_PROFILE_BYTES: u64 = 16 << 20;

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn sig(bytes: &[u8], at: usize) -> [u8; 4] {
    bytes[at..at + 4].try_into().expect("four bytes")
}

/// A 4-byte signature for messages: `CMYK`, `RGB `.
pub fn show(signature: &[u8; 4]) -> String {
    String::from_utf8_lossy(signature).trim_end().to_string()
}

impl IccProfile {
    /// The default print profile: the bundled GRACoL.
    pub fn default_print() -> Arc<IccProfile> {
        loaded(0)
    }

    /// A bundled profile by name ("GRACoL", "swop" …), if there is one.
    pub fn bundled(name: &str) -> Option<Arc<IccProfile>> {
        BUNDLED
            .iter()
            .position(|b| b.name.eq_ignore_ascii_case(name.trim()))
            .map(loaded)
    }

    /// What `--icc` or `[print] icc` names: a bundled profile's name, else a file (a
    /// relative one under `base`).
    pub fn named_or_file(spec: &str, base: &Path) -> Result<Arc<IccProfile>, String> {
        match IccProfile::bundled(spec) {
            Some(profile) => Ok(profile),
            None => IccProfile::load_for_print(&base.join(spec)).map(Arc::new),
        }
    }

    /// The output intent's `/OutputConditionIdentifier` and `/OutputCondition`: the
    /// registry's names for a bundled profile's condition; for any other profile (a shop's,
    /// from `--icc`) its own description, which is all broadside knows of it.
    pub fn output_condition(&self) -> (String, String) {
        match BUNDLED.iter().find(|b| *b.bytes == *self.bytes) {
            Some(b) => (b.identifier.to_string(), b.condition.to_string()),
            None => (self.description.clone(), self.description.clone()),
        }
    }

    /// Parses any ICC profile: header, tag table and description.
    pub fn parse(bytes: Vec<u8>) -> Result<IccProfile, String> {
        if bytes.len() < 132 {
            return Err(format!(
                "it is not an ICC profile: {} bytes is shorter than an ICC header and tag count (132)",
                bytes.len()
            ));
        }
        if &bytes[36..40] != b"acsp" {
            return Err(
                "it has no `acsp` signature at byte 36, so it is not an ICC profile".into(),
            );
        }
        let size = be32(&bytes, 0).unwrap_or(0) as usize;
        if size != bytes.len() {
            return Err(format!(
                "its header gives a size of {size} bytes but the file has {} (truncated or padded?)",
                bytes.len()
            ));
        }
        let version = (bytes[8], bytes[9] >> 4);
        if !(2..=4).contains(&version.0) {
            return Err(format!(
                "it is ICC version {}.{}; PDF 1.6 takes versions 2 and 4",
                version.0, version.1
            ));
        }
        let pcs = sig(&bytes, 20);
        if &pcs != b"Lab " && &pcs != b"XYZ " {
            return Err(format!(
                "its connection space is `{}`, not Lab or XYZ",
                show(&pcs)
            ));
        }
        let description = description(&bytes)?;
        let sha256 = crate::manifest::sha256_hex(&bytes);
        Ok(IccProfile {
            class: sig(&bytes, 12),
            color_space: sig(&bytes, 16),
            pcs,
            version,
            description,
            sha256,
            deflated: Arc::default(),
            press: None,
            bytes: bytes.into(),
        })
    }

    /// Parses a profile and checks it can be a PDF/X output intent for CMYK pages: an
    /// output (printer) profile whose colour space is CMYK.
    pub fn for_print(bytes: Vec<u8>) -> Result<IccProfile, String> {
        let mut profile = IccProfile::parse(bytes)?;
        if &profile.color_space != b"CMYK" || &profile.class != b"prtr" {
            let class = match &profile.class {
                b"prtr" => "an output",
                b"mntr" => "a display",
                b"scnr" => "an input",
                b"spac" => "a colour-space",
                b"link" => "a device-link",
                b"abst" => "an abstract",
                b"nmcl" => "a named-colour",
                _ => "an unknown kind of",
            };
            return Err(format!(
                "\"{}\" is {class} profile for {} (class `{}`); print pages are CMYK, so the output intent needs a CMYK output profile (class `prtr`, colour space `CMYK`)",
                profile.description,
                show(&profile.color_space),
                show(&profile.class)
            ));
        }
        // Palette colours are separated through it, so its tables must be usable too.
        profile.press = Some(Arc::new(crate::color::Press::new(&profile.bytes)?));
        Ok(profile)
    }

    /// The colour conversions of a print profile (one loaded with
    /// [`IccProfile::for_print`]); `None` for other profiles.
    pub fn press(&self) -> Option<&crate::color::Press> {
        self.press.as_deref()
    }

    /// Reads and checks a print profile from a file.
    pub fn load_for_print(path: &Path) -> Result<IccProfile, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
        if !meta.is_file() {
            return Err("it is not a regular file".into());
        }
        if meta.len() > MAX_PROFILE_BYTES {
            return Err(format!(
                "it is {} MB; an output profile may have at most {} MB",
                meta.len() >> 20,
                MAX_PROFILE_BYTES >> 20
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        IccProfile::for_print(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The profile description: a `desc` tag of type `desc` (version 2, ASCII) or `mluc`
/// (version 4, UTF-16; the English record if there is one, else the first).
fn description(bytes: &[u8]) -> Result<String, String> {
    let count = be32(bytes, 128).ok_or("its tag table is missing")? as usize;
    if count > (bytes.len() - 132) / 12 {
        return Err(format!(
            "its tag table claims {count} tags, more than fit in the file"
        ));
    }
    let bad = || "its description tag (`desc`) is malformed".to_string();
    for i in 0..count {
        let entry = 132 + 12 * i;
        if &bytes[entry..entry + 4] != b"desc" {
            continue;
        }
        let offset = be32(bytes, entry + 4).ok_or_else(bad)? as usize;
        let size = be32(bytes, entry + 8).ok_or_else(bad)? as usize;
        let tag = bytes
            .get(offset..offset.checked_add(size).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        if tag.len() < 12 {
            return Err(bad());
        }
        let text = match &tag[0..4] {
            b"desc" => {
                let n = be32(tag, 8).ok_or_else(bad)? as usize;
                let ascii = tag.get(12..12 + n).ok_or_else(bad)?;
                let end = ascii.iter().position(|&b| b == 0).unwrap_or(ascii.len());
                String::from_utf8_lossy(&ascii[..end]).into_owned()
            }
            b"mluc" => {
                let records = be32(tag, 8).ok_or_else(bad)? as usize;
                let record_size = be32(tag, 12).ok_or_else(bad)? as usize;
                if records == 0 || record_size < 12 {
                    return Err(bad());
                }
                let record = |r: usize| -> Option<(&[u8], usize, usize)> {
                    let at = 16 + r * record_size;
                    Some((
                        tag.get(at..at + 2)?,
                        be32(tag, at + 4)? as usize,
                        be32(tag, at + 8)? as usize,
                    ))
                };
                let pick = (0..records)
                    .find(|&r| record(r).is_some_and(|(lang, _, _)| lang == b"en"))
                    .unwrap_or(0);
                let (_, len, off) = record(pick).ok_or_else(bad)?;
                let utf16 = tag.get(off..off + len).ok_or_else(bad)?;
                let units: Vec<u16> = utf16
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
                    .trim_end_matches('\0')
                    .to_string()
            }
            other => {
                return Err(format!(
                    "its description tag has type `{}`, not `desc` or `mluc`",
                    String::from_utf8_lossy(other)
                ));
            }
        };
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err("its description is empty; the output intent is named after it".into());
        }
        return Ok(text);
    }
    Err("it has no description tag (`desc`); the output intent is named after it".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal profile: header, a tag table with one `desc` tag holding `tag`.
    pub(crate) fn profile(class: &[u8; 4], space: &[u8; 4], major: u8, tag: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 128];
        b[8] = major;
        b[12..16].copy_from_slice(class);
        b[16..20].copy_from_slice(space);
        b[20..24].copy_from_slice(b"Lab ");
        b[36..40].copy_from_slice(b"acsp");
        b.extend_from_slice(&1u32.to_be_bytes());
        b.extend_from_slice(b"desc");
        b.extend_from_slice(&144u32.to_be_bytes());
        b.extend_from_slice(&(tag.len() as u32).to_be_bytes());
        b.extend_from_slice(tag);
        let len = b.len() as u32;
        b[0..4].copy_from_slice(&len.to_be_bytes());
        b
    }

    pub(crate) fn desc_v2(text: &str) -> Vec<u8> {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
        t.extend_from_slice(text.as_bytes());
        t.push(0);
        t.extend_from_slice(&[0; 12]); // empty Unicode and ScriptCode parts
        t
    }

    fn mluc(records: &[(&str, &str)]) -> Vec<u8> {
        let mut t = b"mluc\0\0\0\0".to_vec();
        t.extend_from_slice(&(records.len() as u32).to_be_bytes());
        t.extend_from_slice(&12u32.to_be_bytes());
        let mut strings = Vec::new();
        let base = 16 + 12 * records.len();
        for (lang, text) in records {
            let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            t.extend_from_slice(lang.as_bytes());
            t.extend_from_slice(b"US");
            t.extend_from_slice(&(utf16.len() as u32).to_be_bytes());
            t.extend_from_slice(&((base + strings.len()) as u32).to_be_bytes());
            strings.extend_from_slice(&utf16);
        }
        t.extend_from_slice(&strings);
        t
    }

    #[test]
    fn the_bundled_profile_is_a_cmyk_output_profile() {
        let p = IccProfile::default_print();
        assert_eq!(
            p.description,
            "GRACoL coated #1, CGATS TR 006 (ArgyllCMS build)"
        );
        assert_eq!(&p.class, b"prtr");
        assert_eq!(&p.color_space, b"CMYK");
        assert_eq!(&p.pcs, b"Lab ");
        assert_eq!(p.version.0, 2);
        assert_eq!(p.bytes().len(), DEFAULT_PROFILE.len());
    }

    #[test]
    fn reads_version_2_and_version_4_descriptions() {
        let v2 = profile(b"prtr", b"CMYK", 2, &desc_v2("Press A"));
        assert_eq!(
            IccProfile::parse(v2.clone()).unwrap().description,
            "Press A"
        );
        let v4 = profile(
            b"prtr",
            b"CMYK",
            4,
            &mluc(&[("de", "Druck B"), ("en", "Press B")]),
        );
        assert_eq!(IccProfile::parse(v4).unwrap().description, "Press B");
        // A header and a description are not enough for print: the palette is separated
        // through the profile's tables, which these fixtures lack.
        let e = IccProfile::for_print(v2).unwrap_err();
        assert!(e.contains("cannot convert sRGB to CMYK"), "{e}");
    }

    #[test]
    fn rejects_what_cannot_be_a_cmyk_output_intent() {
        let rgb = profile(b"mntr", b"RGB ", 2, &desc_v2("sRGB"));
        let e = IccProfile::for_print(rgb).unwrap_err();
        assert!(
            e.contains("display profile for RGB") && e.contains("CMYK"),
            "{e}"
        );
        let input = profile(b"scnr", b"CMYK", 2, &desc_v2("scanner"));
        assert!(
            IccProfile::for_print(input)
                .unwrap_err()
                .contains("input profile")
        );

        let mut truncated = profile(b"prtr", b"CMYK", 2, &desc_v2("x"));
        truncated.pop();
        assert!(IccProfile::parse(truncated).unwrap_err().contains("size"));
        let mut no_magic = profile(b"prtr", b"CMYK", 2, &desc_v2("x"));
        no_magic[36] = b'x';
        assert!(IccProfile::parse(no_magic).unwrap_err().contains("acsp"));
        assert!(IccProfile::parse(b"%PDF-1.7".to_vec()).is_err());
        let v5 = profile(b"prtr", b"CMYK", 5, &desc_v2("x"));
        assert!(IccProfile::parse(v5).unwrap_err().contains("version 5"));
        let mut broken = profile(b"prtr", b"CMYK", 2, &desc_v2("x"));
        broken[140..144].copy_from_slice(&9999u32.to_be_bytes()); // tag size past the end
        assert!(IccProfile::parse(broken).unwrap_err().contains("malformed"));
    }
}
