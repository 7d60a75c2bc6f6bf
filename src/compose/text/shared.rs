//! Prepared paragraphs shared across the documents one thread composes. A batch sets the
//! same paragraphs in every county's document but the few that name the county: preparing
//! them (markup, typography, faces, bidi, shaping, break opportunities) was an eighth of a
//! 59-flyer batch, and breaking them at each size a fit search tries another sixth. A
//! paragraph prepared once is handed out again for the same inputs, with its memo of
//! breaks and set lines (see `BreakMemo`), so the next county's fit search finds the
//! answers the last one worked out.
//!
//! Preparing is a function of the inputs in the key (the style's fields that
//! [`prepare_with`] reads, the language, the typography, the font book), so a shared
//! paragraph is the paragraph [`prepare_with`] would give: the output does not change.

use super::{Prepared, TextError, prepare_with};
use crate::compose::typography::Typography;
use crate::fonts::FontBook;
use crate::markup::Inline;
use crate::model::layout::{Align, Style, TextTransform};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher as _;

/// At most this many paragraphs are kept per thread; past it, the half least recently
/// used go. A flyer shares ~25 with the next county's.
const MAX_ENTRIES: usize = 64;

/// At most this many typographies are told apart (one per language, and a county mark's
/// loose one); past it the cache starts again.
const MAX_TYPOGRAPHIES: usize = 32;

/// At most this many keys are remembered as seen once (8 bytes each).
const MAX_SEEN: usize = 1 << 14;

thread_local! {
    static SHARED: RefCell<Shared> = RefCell::new(Shared::default());
}

/// The layout and language of the documents a thread composes now: the paragraphs are
/// shared while they stay the same, as in a batch of one layout (every county's flyer).
/// A whole kit changes layout from one document to the next (each edition's three
/// layouts in turn): keeping every layout's paragraphs across them raised its peak memory
/// by 2-3 MB, over the 40 MiB goal, so a change of scope lets them go.
pub fn shared_scope(layout: &str, lang: &str) {
    SHARED.with(|cell| {
        let mut shared = cell.borrow_mut();
        if shared.scope.0 != layout || shared.scope.1 != lang {
            *shared = Shared {
                scope: (layout.to_string(), lang.to_string()),
                ..Shared::default()
            };
        }
    });
}

#[derive(Default)]
struct Shared {
    /// The layout's name and the language the entries were prepared for.
    scope: (String, String),
    /// The typographies seen, compared whole; a key holds an index into this list.
    typographies: Vec<Typography>,
    entries: HashMap<Key, (Prepared, u64)>,
    /// Hashes of the keys prepared once and not kept: a paragraph is kept the second time
    /// it is prepared, so those only one document sets (a county's own) take no room.
    seen: HashSet<u64>,
    /// Counts lookups: when each entry was last used.
    clock: u64,
}

/// What [`prepare_with`] reads, and nothing else: the inline text, the style's face,
/// case, size, tracking, alignment and hyphenation, the language, the typography (by its
/// index in `Shared::typographies`) and the font book (by its id).
#[derive(PartialEq, Eq, Hash)]
struct Key {
    fonts: u64,
    typography: usize,
    inline: Inline,
    lang: String,
    font: String,
    weight: u16,
    italic: bool,
    transform: TextTransform,
    size: u32,
    tracking: u32,
    align: Align,
    hyphenate: bool,
}

/// [`prepare_with`], or the paragraph it gave before on this thread for the same inputs
/// (sharing its memo of breaks and lines). Errors are not remembered.
pub fn prepare_shared(
    inline: &Inline,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
    typography: &Typography,
) -> Result<Prepared, TextError> {
    SHARED.with(|cell| {
        let mut shared = cell.borrow_mut();
        let typography_index = match shared.typographies.iter().position(|t| t == typography) {
            Some(i) => i,
            None => {
                if shared.typographies.len() >= MAX_TYPOGRAPHIES {
                    let scope = std::mem::take(&mut shared.scope);
                    *shared = Shared {
                        scope,
                        ..Shared::default()
                    };
                }
                shared.typographies.push(typography.clone());
                shared.typographies.len() - 1
            }
        };
        let key = Key {
            fonts: fonts.id(),
            typography: typography_index,
            inline: inline.clone(),
            lang: lang.to_string(),
            font: style.font.clone(),
            weight: style.weight,
            italic: style.italic,
            transform: style.transform,
            size: style.size.0.to_bits(),
            tracking: style.tracking.to_bits(),
            align: style.align,
            hyphenate: style.hyphenate,
        };
        shared.clock += 1;
        let now = shared.clock;
        if let Some((prepared, used)) = shared.entries.get_mut(&key) {
            *used = now;
            return Ok(prepared.clone());
        }
        let prepared = prepare_with(inline, style, fonts, lang, typography)?;
        let hash = shared.entries.hasher().hash_one(&key);
        if shared.seen.len() >= MAX_SEEN {
            shared.seen.clear();
        }
        if shared.seen.insert(hash) {
            return Ok(prepared);
        }
        if shared.entries.len() >= MAX_ENTRIES {
            let mut ages: Vec<u64> = shared.entries.values().map(|(_, used)| *used).collect();
            let middle = ages.len() / 2;
            let (_, &mut cut, _) = ages.select_nth_unstable(middle);
            shared.entries.retain(|_, (_, used)| *used > cut);
        }
        shared.entries.insert(key, (prepared.clone(), now));
        Ok(prepared)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::text::tests::{fonts, style};

    #[test]
    fn a_shared_paragraph_is_the_one_prepare_gives_and_shares_its_memo() {
        let style = style(Align::Justify);
        let inline = crate::markup::parse("Call **1-888-373-7888** if you see the signs.");
        let typography = Typography::default();
        let fresh = prepare_with(&inline, &style, fonts(), "en", &typography).unwrap();
        // Prepared once, then kept the second time, then handed out.
        let copies: Vec<Prepared> = (0..3)
            .map(|_| prepare_shared(&inline, &style, fonts(), "en", &typography).unwrap())
            .collect();
        for p in &copies {
            assert_eq!(p.text, fresh.text);
            assert_eq!(p.opportunities, fresh.opportunities);
            assert_eq!(p.prefix, fresh.prefix);
        }
        let breaks = copies[1].break_lines(0, 90.0).unwrap();
        assert_eq!(breaks, fresh.break_lines(0, 90.0).unwrap());
        assert!(copies[2].broken.0.borrow().breaks.contains_key(&(
            0,
            90.0f32.to_bits(),
            style.size.0.to_bits(),
            style.tracking.to_bits()
        )));
        // Another size is another paragraph.
        let mut larger = style.clone();
        larger.size = crate::units::Pt(style.size.0 * 2.0);
        let other = prepare_shared(&inline, &larger, fonts(), "en", &typography).unwrap();
        assert_ne!(other.prefix, fresh.prefix);
    }
}
