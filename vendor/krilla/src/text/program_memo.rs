//! broadside patch: font programs remembered across the documents of one process.
//!
//! A run that writes many documents (a county batch) embeds the same subsets of the same
//! fonts again and again: only the county's own words add glyphs. Upstream krilla subsets
//! the font, walks every glyph's outline for the bounding box and deflates the program
//! for each document; here a program is remembered, and the stream is the same bytes it
//! would have been.
//!
//! A program is found by a 128-bit hash of what identifies it — krilla's hash of the font
//! (its metrics, names, checksum, face index and instance, not its outlines), where the
//! font's bytes are, the glyphs kept in their new order, and the settings that change the
//! stream's filters — and a hit is then checked against each of those itself: the entry's
//! font bytes must be the very allocation the document's font holds (a weak reference, so
//! a dropped font is neither kept alive nor mistaken for a new one loaded at the same
//! address), and its glyphs and settings must be equal. A font file edited in place while
//! a process has it mapped is outside what this can see (as it is for the font book).
//!
//! Bounded: a program is stored from its second sight (a one-off subset costs a key), at
//! most [`MAX_BYTES`] of streams and [`MAX_KEYS`] keys seen once. When the streams reach
//! the bound, the entries whose font is gone (a font folder reloaded by a watching
//! process) are swept out; if that frees nothing, nothing more is stored.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

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
    /// The program's stream, encoded as the settings ask (deflated unless content streams
    /// are left plain, hex-encoded if ASCII is asked for).
    pub(crate) stream: FilterStream<'static>,
    /// The subset's number of glyphs.
    pub(crate) num_glyphs: u32,
    /// The subset's bounding box, in font units.
    pub(crate) global_bbox: Rect,
}

/// What a program is the program of, compared on every hit. It holds no strong reference
/// to the font: a font dropped is not kept alive by the memo.
struct Origin {
    /// krilla's hash of the font (what `Font`'s equality compares).
    font: u128,
    bytes: Weak<dyn AsRef<[u8]> + Send + Sync>,
    glyphs: GlyphRemapper,
    filters: (bool, bool),
}

struct Entry {
    origin: Origin,
    program: Arc<Program>,
}

#[derive(Default)]
struct Memo {
    seen_once: HashSet<u128>,
    programs: HashMap<u128, Entry>,
    bytes: usize,
}

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(Memo::default()));

/// How many programs came from the memo in this process.
static RECALLS: AtomicUsize = AtomicUsize::new(0);

/// The program asked for: by the font, the glyphs kept and the settings.
pub(crate) struct Request<'a> {
    font: &'a Font,
    font_hash: u128,
    glyphs: &'a GlyphRemapper,
    filters: (bool, bool),
    key: u128,
}

impl<'a> Request<'a> {
    pub(crate) fn new(
        font: &'a Font,
        glyphs: &'a GlyphRemapper,
        settings: &SerializeSettings,
    ) -> Self {
        let data = font.font_data();
        let bytes: &[u8] = data.as_ref();
        let place = (bytes.as_ptr() as usize, bytes.len());
        let filters = (settings.compress_content_streams, settings.ascii_compatible);
        let key = stable_hash128(&(font, place, glyphs, filters));
        Request {
            font,
            font_hash: stable_hash128(font),
            glyphs,
            filters,
            key,
        }
    }

    /// Whether `origin` is what this request asks for.
    fn matches(&self, origin: &Origin) -> bool {
        origin.filters == self.filters
            && origin.font == self.font_hash
            && origin.glyphs == *self.glyphs
            && origin
                .bytes
                .upgrade()
                .is_some_and(|bytes| Arc::ptr_eq(&bytes, &self.font.font_data().0))
    }
}

/// The program remembered for `request`, if any.
pub(crate) fn recall(request: &Request) -> Option<Arc<Program>> {
    let mut memo = MEMO.lock().ok()?;
    let entry = memo.programs.get(&request.key)?;
    if request.matches(&entry.origin) {
        RECALLS.fetch_add(1, Ordering::Relaxed);
        return Some(Arc::clone(&entry.program));
    }
    // Another font's (gone, or a hash collision): not this one's to give.
    if entry.origin.bytes.strong_count() == 0 {
        if let Some(gone) = memo.programs.remove(&request.key) {
            memo.bytes -= gone.program.stream.encoded_data().len();
        }
    }
    None
}

/// Offers a program just made for `request`: stored if its key was seen before and there
/// is room.
pub(crate) fn offer(request: &Request, program: &Arc<Program>) {
    let Ok(mut memo) = MEMO.lock() else {
        return;
    };
    let memo = &mut *memo;
    if memo.programs.contains_key(&request.key) {
        return; // another thread stored it first
    }
    if !memo.seen_once.remove(&request.key) {
        if memo.seen_once.len() < MAX_KEYS {
            memo.seen_once.insert(request.key);
        }
        return;
    }
    let size = program.stream.encoded_data().len();
    if memo.bytes + size > MAX_BYTES {
        // Room made by the programs of fonts no longer loaded.
        memo.programs
            .retain(|_, entry| entry.origin.bytes.strong_count() > 0);
        memo.bytes = memo
            .programs
            .values()
            .map(|entry| entry.program.stream.encoded_data().len())
            .sum();
        if memo.bytes + size > MAX_BYTES {
            return;
        }
    }
    memo.bytes += size;
    let origin = Origin {
        font: request.font_hash,
        bytes: Arc::downgrade(&request.font.font_data().0),
        glyphs: request.glyphs.clone(),
        filters: request.filters,
    };
    memo.programs.insert(
        request.key,
        Entry {
            origin,
            program: Arc::clone(program),
        },
    );
}

/// How many programs came from the memo in this process (see `crate::text::program_memo_recalls`).
pub(crate) fn recalls() -> usize {
    RECALLS.load(Ordering::Relaxed)
}
