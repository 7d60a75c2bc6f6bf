//! broadside patch: font programs remembered across the documents of one process.
//!
//! A run that writes many documents (a county batch) embeds the same subsets of the same
//! fonts again and again: only the county's own words add glyphs. Upstream krilla subsets
//! the font, walks every glyph's outline for the bounding box and deflates the program
//! for each document; here a program is remembered by a 128-bit hash of the font, the
//! glyphs kept (in their new order) and the settings that change the stream's filters,
//! and the stream is the same bytes it would have been.
//!
//! The font is known by krilla's own hash of it (its metrics, names and checksum, not its
//! bytes) and by where its bytes are. A stored program keeps its font alive, so those
//! bytes cannot be freed and another font loaded at the same address while the program
//! can still be recalled: two files that differ only in their outlines stay apart.
//!
//! Bounded: a program is stored from its second sight (a one-off subset costs a key), at
//! most [`MAX_BYTES`] of streams and [`MAX_KEYS`] keys seen once; past either, nothing
//! more is added.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use subsetter::GlyphRemapper;

use crate::geom::Rect;
use crate::serialize::SerializeSettings;
use crate::stream::FilterStream;
use crate::text::Font;
use crate::util::stable_hash128;

/// The most stream bytes the memo holds.
const MAX_BYTES: usize = 2 << 20;
/// The most keys seen once that the memo holds.
const MAX_KEYS: usize = 1 << 14;

/// A subset font program as `CIDFont::serialize` embeds it.
pub(crate) struct Program {
    /// The font the subset was cut from, kept alive while its program can be recalled
    /// (see above). Held, never read.
    #[allow(dead_code)]
    pub(crate) font: Font,
    /// The program's stream, encoded as the settings ask (deflated unless content streams
    /// are left plain, hex-encoded if ASCII is asked for).
    pub(crate) stream: FilterStream<'static>,
    /// The subset's number of glyphs.
    pub(crate) num_glyphs: u32,
    /// The subset's bounding box, in font units.
    pub(crate) global_bbox: Rect,
}

#[derive(Default)]
struct Memo {
    seen_once: HashSet<u128>,
    programs: HashMap<u128, Arc<Program>>,
    bytes: usize,
}

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(Memo::default()));

/// What identifies a program: the font (krilla's hash of it, and the address and length
/// of its bytes), the glyphs kept and their order, and the two settings that change the
/// stream's filters: whether it is deflated and whether it is hex-encoded.
pub(crate) fn key(font: &Font, glyphs: &GlyphRemapper, settings: &SerializeSettings) -> u128 {
    let data = font.font_data();
    let bytes: &[u8] = data.as_ref();
    let place = (bytes.as_ptr() as usize, bytes.len());
    let filters = (settings.compress_content_streams, settings.ascii_compatible);
    stable_hash128(&(font, place, glyphs, filters))
}

/// The program remembered for `key`, if any.
pub(crate) fn recall(key: u128) -> Option<Arc<Program>> {
    MEMO.lock().ok()?.programs.get(&key).cloned()
}

/// Offers a program just made: stored if its key was seen before and there is room.
pub(crate) fn offer(key: u128, program: &Arc<Program>) {
    let Ok(mut memo) = MEMO.lock() else {
        return;
    };
    if memo.seen_once.remove(&key) {
        let size = program.stream.encoded_data().len();
        if memo.bytes + size <= MAX_BYTES {
            memo.bytes += size;
            memo.programs.insert(key, Arc::clone(program));
        }
    } else if memo.seen_once.len() < MAX_KEYS {
        memo.seen_once.insert(key);
    }
}
