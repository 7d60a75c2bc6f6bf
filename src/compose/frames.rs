//! Set frames remembered across the documents one thread composes. Every county's flyer
//! sets the same text into the same frames but for the line that names the county: with
//! its fit search remembered (`decisions`) and its paragraphs shared (`text::shared`), a
//! repeated frame was still set anew — blocks resized, lines broken and set, their ink
//! measured, lines placed and emitted — a sixth of a 59-flyer batch. A frame whose inputs
//! are the same as an earlier document's gives the same items and leaves the composer in
//! the same state, so both are kept and handed out again.
//!
//! What a frame's setting reads is in its key (see `Composer::frame_key`); debug builds
//! (the tests) set every remembered frame anew and assert that it comes out the same, so a
//! key that misses an input shows there.

use super::FrameKey;
use crate::memo::SeenTwiceMemo;
use crate::page::{Item, OutlineEntry};
use std::cell::RefCell;

/// At most about this many bytes of items are kept per thread (a flyer's frames hold
/// ~130 KB, a fact sheet's in Chinese more); past it, frames are set without being kept.
const MAX_BYTES: usize = 2 << 20;

/// At most this many keys are remembered as seen once (32 bytes each).
const MAX_SEEN: usize = 1 << 12;

/// What setting one frame's text (with the frames it continues into) did: the items each
/// frame gained, the bookmarks added, and the composer's state for each frame after it.
#[derive(Clone, Debug)]
pub(super) struct SetFrame {
    /// By frame index: the items the frame gained.
    pub items: Vec<(usize, Vec<Item>)>,
    pub outline: Vec<OutlineEntry>,
    /// By frame index: `spare`, `text_foot`, `last_baseline` and `first_cap_top` after.
    pub state: Vec<(usize, [Option<f32>; 4])>,
    /// The first frame's `fitted_scale` after.
    pub fitted_scale: Option<f32>,
}

impl SetFrame {
    /// About how many bytes the set frame takes: its items and their glyphs and text.
    fn bytes(&self) -> usize {
        let items = self.items.iter().flat_map(|(_, items)| items);
        items
            .map(|item| {
                std::mem::size_of::<Item>()
                    + match item {
                        Item::Text(run) => {
                            run.glyphs.len() * std::mem::size_of::<crate::page::PlacedGlyph>()
                                + run.text.len()
                        }
                        _ => 0,
                    }
            })
            .sum()
    }
}

/// The frames a thread keeps, for the layout and language they were set in (see
/// [`scope`]); a frame is kept the second time it is set, so the line naming a county,
/// set once, takes no room.
struct Memo {
    scope: (String, String),
    frames: SeenTwiceMemo<FrameKey, SetFrame>,
}

impl Memo {
    fn new(scope: (String, String)) -> Memo {
        Memo {
            scope,
            frames: SeenTwiceMemo::new(MAX_BYTES, MAX_SEEN),
        }
    }
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::new(Default::default()));
}

/// The layout and language of the document a thread composes now: frames are kept while
/// they stay the same, as in a batch of one layout, and let go when they change (a whole
/// kit moves from layout to layout, and keeping every layout's frames would only add to
/// its peak memory).
pub(super) fn scope(layout: &str, lang: &str) {
    MEMO.with(|cell| {
        let mut memo = cell.borrow_mut();
        if memo.scope.0 != layout || memo.scope.1 != lang {
            *memo = Memo::new((layout.to_string(), lang.to_string()));
        }
    });
}

/// The frame set under `key` by an earlier document on this thread, if it is kept.
pub(super) fn recall(key: &FrameKey) -> Option<SetFrame> {
    let set = MEMO.with(|cell| cell.borrow().frames.get(key));
    #[cfg(test)]
    if set.is_some() {
        RECALLS.with(|n| n.set(n.get() + 1));
    }
    set
}

/// Offers what setting a frame under `key` did (kept if the key was offered before).
pub(super) fn remember(key: FrameKey, set: SetFrame) {
    let bytes = set.bytes();
    MEMO.with(|cell| cell.borrow_mut().frames.offer(key, set, bytes));
}

#[cfg(test)]
thread_local! {
    static RECALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many frames this thread has recalled: a test's way to see the memo at work.
#[cfg(test)]
pub(super) fn recalls() -> usize {
    RECALLS.with(std::cell::Cell::get)
}

/// Lets go of every frame this thread keeps: a test's way to set a page afresh.
#[cfg(test)]
pub(super) fn forget_all() {
    MEMO.with(|cell| *cell.borrow_mut() = Memo::new(Default::default()));
}
