//! Flow and fit: sets a frame's paragraphs into it and the frames threaded after it, keeps
//! paragraphs from leaving a single line behind (no widows or orphans), balances headlines,
//! and applies the layout's fit policy — shrink, then tighten, within declared limits, or
//! grow to fill — before declaring an overflow, which is an error with the amount.

use super::grid::{Grid, baseline_grid};
use super::ink::{self, InkBox};
use super::linebreak::Break;
use super::text::{self, Line, TextError};
use super::{Composer, Item};
use super::{FrameKey, decisions, frames};
use crate::diag::Diagnostic;
use crate::fonts::FontBook;
use crate::model::content::{BlockKey, Role};
use crate::model::layout::{Frame, Remedy, SideHead, Style, TextFit, VAlign};
use crate::page::Rect;
use crate::resolve::Para;
use crate::units::{PT_PER_MM, Pt};
use std::cell::RefCell;
use std::rc::Rc;

/// A paragraph prepared for setting, with the (possibly fitted) style it is set in.
#[derive(Clone)]
pub(super) struct Block<'a> {
    pub para: &'a Para,
    pub style: Style,
    pub prepared: text::Prepared,
    /// The ink of the lines set from it so far (see [`Block::line_ink`]).
    inks: Rc<RefCell<crate::MemoMap<InkKey, Rc<[InkBox]>>>>,
}

/// A set line by its range, whether it ends hyphenated, the measure (its bits) and
/// whether it is the paragraph's last line.
type InkKey = (usize, usize, bool, u32, bool);

impl<'a> Block<'a> {
    fn new(para: &'a Para, style: Style, prepared: text::Prepared) -> Self {
        Block {
            para,
            style,
            prepared,
            inks: Rc::default(),
        }
    }

    /// The ink of `line`, set from `brk` at `measure`: balancing places the same blocks
    /// again and again (a dozen heights tried), and measuring every line's glyphs each
    /// time cost more than the rest of placing them.
    fn line_ink(
        &self,
        brk: &Break,
        measure: f32,
        last: bool,
        line: &Line,
        fonts: &FontBook,
    ) -> Rc<[InkBox]> {
        let key = (
            brk.range.start,
            brk.range.end,
            brk.hyphen,
            measure.to_bits(),
            last,
        );
        if let Some(ink) = self.inks.borrow().get(&key) {
            return ink.clone();
        }
        let ink: Rc<[InkBox]> = ink::line_boxes(line, self.style.size.0, fonts).into();
        self.inks.borrow_mut().insert(key, ink.clone());
        ink
    }
}

/// How far a fit policy has adjusted the styles that allow it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Adjust {
    /// Size multiplier, clamped per style to its `fit.min`/`fit.max`.
    scale: f32,
    /// Tracking change in thousandths of an em, clamped to `fit.tracking_min`.
    tracking: f32,
}

const NONE: Adjust = Adjust {
    scale: 1.0,
    tracking: 0.0,
};

/// Lines placed in one frame: (top of line, block index, line).
type Placement = Vec<(f32, usize, Line)>;

/// Where a paragraph is set in a frame with side heads (`Frame::side_head`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    /// The frame's whole measure: a frame without side heads, or text before the first.
    Full,
    /// A side head, in its narrow column.
    Head,
    /// The text after a side head, beside it.
    Beside,
}

/// Each block's column in `frame`.
fn columns(frame: &Frame, blocks: &[Block]) -> Vec<Column> {
    let Some(side) = &frame.side_head else {
        return vec![Column::Full; blocks.len()];
    };
    let mut after_head = false;
    blocks
        .iter()
        .map(|block| {
            if block.para.role.name() == side.role {
                after_head = true;
                Column::Head
            } else if after_head {
                Column::Beside
            } else {
                Column::Full
            }
        })
        .collect()
}

/// The part of a frame's content area a column's lines are set in.
fn column_area(area: Rect, side: Option<&SideHead>, column: Column) -> Rect {
    match (side, column) {
        (Some(side), Column::Head) => Rect {
            x: if side.at_right {
                area.right() - side.width
            } else {
                area.x
            },
            w: side.width,
            ..area
        },
        (Some(side), Column::Beside) => Rect {
            x: if side.at_right {
                area.x
            } else {
                area.x + side.width + side.gap
            },
            w: area.w - side.width - side.gap,
            ..area
        },
        _ => area,
    }
}

/// A side head placed in a frame, for the text set beside it.
struct HeadRow {
    /// The top of the head's capitals, from the frame top: the text beside it starts with
    /// its capitals there.
    cap_top: f32,
    /// Below the head and its space after: the next head starts no higher.
    bottom: f32,
    /// The line above the head: the text beside it keeps its distance from that, not
    /// from the head.
    above: Option<(f32, Rc<[InkBox]>)>,
    /// No text has been set beside it yet.
    fresh: bool,
}

/// Why a chain could not be set.
enum Failure {
    Overflow {
        frame: usize,
        excess: f32,
        used: f32,
        available: f32,
        field: String,
    },
    /// A word wider than the frame: shrinking the type may cure it (a county's name in a
    /// logo's tile), so fit remedies try it like an overflow; what is left is reported.
    TooWide(Diagnostic),
    Fatal(Diagnostic),
}

/// How far below the fill's size a chain of columns looks for one that leaves none short
/// (a fraction of the size), and in how many steps.
const FULL_COLUMNS_SEARCH: f32 = 0.08;
const FULL_COLUMNS_STEPS: usize = 20;

/// How many lines of the text after a heading must fit under it in the same column
/// (fewer when the paragraph is shorter); otherwise the heading moves on with its text.
const HEADING_KEEPS_LINES: usize = 2;

/// The most characters of text one frame (with the frames it continues into) may hold:
/// several times the fact sheet's longest column. More fails at once as an overflow.
pub const MAX_FRAME_TEXT: usize = 20_000;

impl Composer<'_> {
    /// Sets a frame's content, continuing into threaded frames, after fitting it as its
    /// styles allow; an overflow that remains is an error naming frame, edition, language
    /// and the amount.
    pub(super) fn flow_text(
        &mut self,
        first: usize,
        key: &BlockKey,
        frame_items: &mut [Vec<Item>],
    ) {
        let layout = self.layout;
        let frame = &layout.frames[first];
        let lookup = super::block_key(frame, key);
        if matches!(key, BlockKey::Extra(_)) && self.resolved.paragraphs(key).is_none() {
            return; // a county-only extra this edition does not have: the frame stays empty
        }
        if super::frame_is_empty(frame, self.resolved) && self.resolved.paragraphs(lookup).is_some()
        {
            return; // an empty block: nothing to set (check warns about it)
        }
        // The folio ("1 / 2 ›") is the layout's, not the content's: made here, read as a
        // pagination artifact, never by a screen reader.
        let made;
        let paras = if *key == BlockKey::Folio {
            made = [super::folio(
                frame.page,
                layout.pages,
                &self.resolved.edition.lang,
            )];
            Some(&made[..])
        } else if *key == BlockKey::Edition {
            let Some(mark) = super::edition_mark(self.resolved) else {
                return; // the statewide edition: no county name to show
            };
            made = [mark];
            Some(&made[..])
        } else {
            self.resolved.paragraphs(lookup)
        };
        let Some(paras) = paras else {
            let message = format!(
                "frame `{}` of layout `{}` shows `{key}`, which campaign `{}` does not have",
                frame.id, layout.name, self.resolved.campaign_id
            );
            let d = self
                .frame_error(frame, message)
                .hint("add the block to campaign.toml or remove the frame");
            self.state.problems.push(d);
            return;
        };
        // Far more text than any frame holds is an overflow, reported before shaping and
        // breaking it (which grows faster than the text does).
        let length: usize = paras.iter().map(|p| p.markdown.chars().count()).sum();
        if length > MAX_FRAME_TEXT {
            let message = format!(
                "text does not fit frame `{}` of layout `{}` for edition {}: {length} characters, more than the {MAX_FRAME_TEXT} a frame may hold",
                frame.id, layout.name, self.resolved.edition
            );
            let field = paras
                .first()
                .map_or(key.to_string(), |p| p.field.to_string());
            let d = self.frame_error(frame, message).hint(format!(
                "the text from `{field}` on is far too long for one frame; shorten it"
            ));
            self.state.problems.push(d);
            return;
        }
        let mut chain = vec![first];
        while let Some(next) = layout.frames[*chain.last().unwrap()].continue_to {
            if chain.contains(&next) {
                break;
            }
            chain.push(next);
        }

        let frame_key = self.frame_key(first, key, &chain, paras);
        if let Some(remembered) = frame_key.as_ref().and_then(frames::recall) {
            // Tests (debug builds) set the frame anyway: a frame remembered under a key that
            // misses something its setting reads would show here; and what applying the
            // remembered frame leaves is compared with what setting it left, the composer's
            // whole state and every frame's items, so that a field `set_text` comes to
            // write and `apply` does not restore shows too.
            if cfg!(debug_assertions) {
                let before = (self.state.clone(), frame_items.to_vec());
                let set = self.set_text_gathered(first, key, paras, &chain, frame_items);
                assert_eq!(
                    format!("{set:?}"),
                    format!("{:?}", Some(&remembered)),
                    "frame `{}`: the remembered frame is not the one set",
                    frame.id
                );
                let after_setting = format!("{:?}", (&self.state, &*frame_items));
                self.state = before.0;
                frame_items.clone_from_slice(&before.1);
                self.apply(first, remembered, frame_items);
                assert_eq!(
                    format!("{:?}", (&self.state, &*frame_items)),
                    after_setting,
                    "frame `{}`: applying the remembered frame leaves another state than setting it",
                    frame.id
                );
            } else {
                self.apply(first, remembered, frame_items);
            }
            return;
        }
        match frame_key {
            Some(frame_key) => {
                if let Some(set) = self.set_text_gathered(first, key, paras, &chain, frame_items) {
                    frames::remember(frame_key, set);
                }
            }
            None => self.set_text(first, key, paras, &chain, frame_items),
        }
    }

    /// What setting a frame's text reads beyond what every frame shares (the composer's
    /// `identity`): the frame and the chain it continues into, where each stands and what
    /// is known of it so far (its spare, text foot, lowest baseline and first capitals,
    /// which a second setting in a fit group combines with; its group's spare; the baseline
    /// of a frame it ends level with), the first frame's scale ceiling, and each
    /// paragraph's role, language, identity and text. `None` where no frames are kept.
    fn frame_key(
        &self,
        first: usize,
        key: &BlockKey,
        chain: &[usize],
        paras: &[Para],
    ) -> Option<FrameKey> {
        let identity = self.identity?;
        let mut k = decisions::KeyWriter::new();
        k.bytes(&identity)
            .part(&first)
            .part(key)
            .part(&chain)
            .part(&self.state.scale_ceiling[first]);
        for &fi in chain {
            let level_with = self.layout.frames[fi]
                .end_level_with
                .map(|j| self.state.last_baseline[j]);
            k.part(&self.state.rects[fi]).part(&[
                self.state.spare[fi],
                self.state.text_foot[fi],
                self.state.last_baseline[fi],
                self.state.first_cap_top[fi],
                self.state.group_spare[fi],
            ]);
            k.part(&level_with);
        }
        for para in paras {
            k.part(&para.role)
                .part(&para.lang)
                .part(&para.id)
                .text(&para.markdown);
        }
        Some(k.finish())
    }

    /// [`Self::set_text`], and what it did (see [`frames::SetFrame`]); `None` when it
    /// reported a problem.
    fn set_text_gathered(
        &mut self,
        first: usize,
        key: &BlockKey,
        paras: &[Para],
        chain: &[usize],
        frame_items: &mut [Vec<Item>],
    ) -> Option<frames::SetFrame> {
        let had: Vec<usize> = chain.iter().map(|&fi| frame_items[fi].len()).collect();
        let (problems, outline) = (self.state.problems.len(), self.state.outline.len());
        self.set_text(first, key, paras, chain, frame_items);
        if self.state.problems.len() > problems {
            return None;
        }
        Some(frames::SetFrame {
            items: chain
                .iter()
                .zip(had)
                .map(|(&fi, had)| (fi, frame_items[fi][had..].to_vec()))
                .collect(),
            outline: self.state.outline[outline..].to_vec(),
            state: chain
                .iter()
                .map(|&fi| {
                    let state = [
                        self.state.spare[fi],
                        self.state.text_foot[fi],
                        self.state.last_baseline[fi],
                        self.state.first_cap_top[fi],
                    ];
                    (fi, state)
                })
                .collect(),
            fitted_scale: self.state.fitted_scale[first],
        })
    }

    /// Leaves the composer and the frames as setting the frame did (`set`).
    fn apply(&mut self, first: usize, set: frames::SetFrame, frame_items: &mut [Vec<Item>]) {
        for (fi, items) in set.items {
            frame_items[fi].extend(items);
        }
        self.state.outline.extend(set.outline);
        for (fi, [spare, text_foot, last_baseline, first_cap_top]) in set.state {
            self.state.spare[fi] = spare;
            self.state.text_foot[fi] = text_foot;
            self.state.last_baseline[fi] = last_baseline;
            self.state.first_cap_top[fi] = first_cap_top;
        }
        self.state.fitted_scale[first] = set.fitted_scale;
    }

    /// Sets the paragraphs of a frame's content (`paras`) into the frame and the frames
    /// it continues into (`chain`), after fitting them as their styles allow; an overflow
    /// that remains is an error naming frame, edition, language and the amount.
    fn set_text(
        &mut self,
        first: usize,
        key: &BlockKey,
        paras: &[Para],
        chain: &[usize],
        frame_items: &mut [Vec<Item>],
    ) {
        let layout = self.layout;
        let frame = &layout.frames[first];
        let fitted: Vec<&Style> = paras
            .iter()
            .filter_map(|p| frame.style_for(p.role).and_then(|s| layout.styles.get(s)))
            .filter(|s| s.fit.is_some())
            .collect();
        // Each paragraph is prepared once; fit attempts only re-measure it at their size.
        let prepared: std::cell::RefCell<Vec<Option<text::Prepared>>> =
            std::cell::RefCell::new(vec![None; paras.len()]);
        // Each adjustment is set once: the searches below ask again for what they have
        // tried (a search starts at the size already set, and the chosen value is set again
        // after it), and setting a frame's text at a size is most of composing.
        type Set<'p> = (Vec<Block<'p>>, Vec<Placement>);
        let tried: std::cell::RefCell<Vec<(Adjust, Option<Set>)>> = Default::default();
        let attempt = |adjust: Adjust| -> Result<Set, Failure> {
            if let Some((_, Some(set))) = tried.borrow().iter().find(|(a, _)| *a == adjust) {
                return Ok(set.clone());
            }
            let set = self
                .blocks(frame, key, paras, adjust, &prepared)
                .and_then(|blocks| {
                    let placements = self.place(chain, &blocks, None)?;
                    Ok((blocks, placements))
                });
            tried
                .borrow_mut()
                .push((adjust, set.as_ref().ok().cloned()));
            set
        };
        let fits = |adjust: Adjust| -> bool {
            if let Some((_, set)) = tried.borrow().iter().find(|(a, _)| *a == adjust) {
                return set.is_some();
            }
            attempt(adjust).is_ok()
        };

        // Grow to fill: the largest scale (within each style's max) that still fits.
        let fill = frame.text_fit == Some(TextFit::Fill) || fitted.iter().any(|s| s.fill);
        // A frame whose text may not grow is set at its own sizes first; only if it
        // overflows there, and has a fit policy, does a search (the remedies) follow.
        let at_own_sizes = (!fill).then(|| attempt(NONE));
        let searches = !fitted.is_empty() && at_own_sizes.as_ref().is_none_or(|set| set.is_err());
        // The search's decision, when a document of this run searched the same frame with
        // the same inputs (every county's flyer sets the same body text): the text is set
        // once, at it, after being prepared at the frame's own sizes as the search would.
        let decision = searches.then(|| self.decision_key(first, key, chain, paras));
        let remembered = decision
            .as_ref()
            .and_then(decisions::recall)
            .map(|(scale, tracking)| Adjust { scale, tracking })
            .filter(|&adjust| {
                // A frame that grows was not set at its own sizes yet: its paragraphs are
                // prepared at them first, as the search prepares them.
                (at_own_sizes.is_some() || self.blocks(frame, key, paras, NONE, &prepared).is_ok())
                    && fits(adjust)
            });
        // The search: from the text at its own sizes, grow it to fill or remedy an overflow.
        // Returns the set, the adjustment it used and the remedies it tried (named in an
        // overflow's message).
        let search = |at_own_sizes: Option<_>| {
            let mut result = at_own_sizes.unwrap_or_else(|| attempt(NONE));
            let mut adjust_used = NONE;
            let mut tried = Vec::new();
            if fill && result.is_ok() && !fitted.is_empty() {
                // As far as the first style to reach its `max` allows; a style whose `max` is
                // its size (a figure that may give way but never grows) keeps its size and does
                // not hold the others back.
                let ceiling = fitted
                    .iter()
                    .filter_map(|s| s.fit.as_ref()?.max.map(|m| m.0 / s.size.0))
                    .filter(|ratio| (ratio - 1.0).abs() > 1e-4)
                    .fold(4.0f32, f32::min);
                if let Some(scale) =
                    largest_fitting(1.0, ceiling, scale_precision(&fitted), |scale| {
                        fits(Adjust {
                            scale,
                            tracking: 0.0,
                        })
                    })
                {
                    adjust_used = Adjust {
                        scale,
                        tracking: 0.0,
                    };
                    result = attempt(adjust_used);
                }
                // A chain on a grid that fills threaded columns without balancing them: each
                // column but the last runs to its foot. A heading keeps its first lines and a
                // paragraph two on each side of a column break, so at the largest size that
                // fits, a column can end a few lines short; a size a little smaller (at most
                // `FULL_COLUMNS_SEARCH`) that leaves no column short is taken instead. Short is
                // a line and a half of white or more: a column a line or so short is the lesser
                // evil, since each step down moves text out of the last column (round 53: at
                // the size where its first column was full, Chinese left its second a third
                // empty).
                let pitch = result
                    .as_ref()
                    .ok()
                    .and_then(|(blocks, _)| chain_grid(frame, blocks))
                    .map(|g| g.pitch);
                if let Some(pitch) = pitch
                    && chain.len() > 1
                    && !chain.iter().any(|&fi| layout.frames[fi].balance)
                {
                    let short = |(blocks, placements): &Set| {
                        chain[..chain.len() - 1]
                            .iter()
                            .zip(placements)
                            .any(|(&fi, placed)| {
                                self.area(&layout.frames[fi]).h.0 - text_depth(placed, blocks)
                                    >= 1.5 * pitch
                            })
                    };
                    if result.as_ref().is_ok_and(short) {
                        let fuller = (1..=FULL_COLUMNS_STEPS)
                            .map(|k| Adjust {
                                scale: adjust_used.scale
                                    * (1.0
                                        - FULL_COLUMNS_SEARCH * k as f32
                                            / FULL_COLUMNS_STEPS as f32),
                                tracking: 0.0,
                            })
                            .find(|&adjust| attempt(adjust).is_ok_and(|set| !short(&set)));
                        if let Some(adjust) = fuller {
                            adjust_used = adjust;
                            result = attempt(adjust);
                        }
                    }
                }
            }
            // Remedies for an overflow, in the order the first fitted style declares.
            if matches!(result, Err(Failure::Overflow { .. } | Failure::TooWide(_)))
                && !fitted.is_empty()
            {
                let policy = fitted[0].fit.as_ref().expect("fitted styles have a policy");
                // Down to the lowest floor of the frame's styles: each stops at its own `fit.min`
                // (see `adjusted`) while the others go on shrinking, so a hero figure can give
                // way where its sentence is already at its smallest.
                let floor = fitted
                    .iter()
                    .filter_map(|s| s.fit.as_ref().map(|f| f.min.0 / s.size.0))
                    .fold(1.0f32, f32::min);
                let mut adjust = NONE;
                for remedy in &policy.remedies {
                    match remedy {
                        Remedy::Shrink => {
                            tried.push(format!("shrink to {:.1}pt", fitted[0].size.0 * floor));
                            let best =
                                largest_fitting(floor, 1.0, scale_precision(&fitted), |scale| {
                                    fits(Adjust { scale, ..adjust })
                                });
                            adjust.scale = best.unwrap_or(floor);
                        }
                        Remedy::Tighten => {
                            let limit = fitted
                                .iter()
                                .filter_map(|s| s.fit.as_ref().map(|f| f.tracking_min - s.tracking))
                                .fold(0.0f32, f32::min);
                            tried.push(format!("tighten tracking by {:.0}/1000 em", -limit));
                            // Tighten as little as needed: search the change between 0 and the limit.
                            let best = largest_fitting(0.0, 1.0, 0.0, |t| {
                                fits(Adjust {
                                    tracking: limit * (1.0 - t),
                                    ..adjust
                                })
                            });
                            adjust.tracking = limit * (1.0 - best.unwrap_or(0.0));
                        }
                    }
                    result = attempt(adjust);
                    adjust_used = adjust;
                    if result.is_ok() {
                        break;
                    }
                }
            }
            (result, adjust_used, tried)
        };
        let (mut result, mut adjust_used, tried) = match remembered {
            Some(adjust) => {
                // Tests (debug builds) search anyway: a decision remembered under a key
                // that misses something the search reads would show here.
                #[cfg(debug_assertions)]
                {
                    let (_, searched, _) = search(None);
                    debug_assert_eq!(
                        searched, adjust,
                        "frame `{}`: the remembered fit decision is not the search's",
                        frame.id
                    );
                }
                (attempt(adjust), adjust, Vec::new())
            }
            None => {
                let (result, adjust_used, tried) = search(at_own_sizes);
                if let Some(decision) = decision
                    && result.is_ok()
                {
                    decisions::remember(decision, adjust_used.scale, adjust_used.tracking);
                }
                (result, adjust_used, tried)
            }
        };

        // In a fit group, no larger than the group's smallest fitted size.
        if let (Some(ceiling), Ok(_)) = (self.state.scale_ceiling[first], &result)
            && adjust_used.scale > ceiling + 1e-4
        {
            let capped = Adjust {
                scale: ceiling,
                ..adjust_used
            };
            if let Ok(set) = attempt(capped) {
                result = Ok(set);
                adjust_used = capped;
            }
        }
        if result.is_ok() {
            self.state.fitted_scale[first] = Some(adjust_used.scale);
        }
        // Columns that balance (the last page's): as short as the text allows, all alike.
        let mut balanced: Option<(usize, f32)> = None;
        if let Ok((blocks, placements)) = &mut result
            && let Some(cap) = self.balanced_height(chain, blocks, placements)
        {
            balanced = Some(cap);
            if let Ok(even) = self.place(chain, blocks, balanced) {
                *placements = even;
            }
        }

        match result {
            Ok((blocks, placements)) => {
                let pitch = chain_grid(&layout.frames[chain[0]], &blocks).map(|g| g.pitch);
                // The deepest of the balanced columns: a balanced chain that centres (or
                // bottom-aligns) moves every column alike by it, so their lines stay level.
                // (Also where balancing changed nothing: the columns still move as one.)
                let balancing_from = balanced
                    .map(|(from, _)| from)
                    .or_else(|| chain.iter().position(|&fi| layout.frames[fi].balance));
                let deepest_balanced = balancing_from.map(|from| {
                    let depth = chain
                        .iter()
                        .zip(&placements)
                        .skip(from)
                        .map(|(_, placed)| text_depth(placed, &blocks))
                        .fold(0.0, f32::max);
                    (from, depth)
                });
                for (n, (&fi, placed)) in chain.iter().zip(placements).enumerate() {
                    let target = &layout.frames[fi];
                    let area = self.area(target);
                    let columns = columns(target, &blocks);
                    // The lowest line's foot (beside a side head, the head may reach lower
                    // than the last line set).
                    let used = text_depth(&placed, &blocks);
                    // Balanced columns keep their lines at the top (or move as one, below),
                    // unless the frame distributes its spare between paragraphs.
                    let is_balanced = balanced.is_some_and(|(from, _)| n >= from);
                    let valign = if is_balanced && target.valign != VAlign::Distribute {
                        VAlign::Top
                    } else {
                        target.valign
                    };
                    let own_spare = (area.h.0 - used).max(0.0);
                    self.state.spare[fi] = Some(own_spare);
                    let mut shift = valign_shift(valign, area.h.0 - used).unwrap_or(0.0);
                    // Balanced columns that centre or sit at the foot move as one, by the
                    // deepest column's spare (a definition panel whose Chinese runs three
                    // lines of five, round 48).
                    if let Some((from, deepest)) = deepest_balanced
                        && n >= from
                        && let Some(moved) =
                            valign_shift(target.valign, (area.h.0 - deepest).max(0.0))
                    {
                        shift = moved;
                    }
                    // Frames of a fit group that centre (or sit at the foot) move as one, by
                    // the group's least spare, so figures side by side stay level over
                    // captions of different lengths (the poster's statistics, round 55).
                    if chain.len() == 1
                        && !is_balanced
                        && let Some(spare) = self.state.group_spare[fi]
                        && let Some(moved) = valign_shift(target.valign, spare.min(own_spare))
                    {
                        shift = moved;
                    }
                    // Level with another frame's last line, as far as the frame's area
                    // allows (its valign decides where that frame has no text).
                    let own_last_baseline = placed
                        .iter()
                        .map(|(top, b, _)| top + baseline_offset(&blocks[*b], self.fonts))
                        .fold(f32::MIN, f32::max);
                    if let Some(level) = target
                        .end_level_with
                        .and_then(|j| self.state.last_baseline[j])
                        && !placed.is_empty()
                    {
                        shift = (level - area.y.0 - own_last_baseline).clamp(0.0, own_spare);
                    }
                    // Distribute: the spare height goes between paragraphs. On a baseline
                    // grid, in whole lines, alike for gaps of a kind: a line before each
                    // heading, so sections stand further apart; never between the
                    // paragraphs of a section, where a gap as wide as a section's read as a
                    // new section without its heading (rounds 35–38). What is left stays at
                    // the foot: a second line before headings opened holes of four lines
                    // in the short Chinese and Korean pages (round 25).
                    let before_heading = gaps_before_headings(&placed, &blocks, &columns);
                    let paragraph_gaps = before_heading.len();
                    let spare = (area.h.0 - used).max(0.0);
                    let gaps: Vec<f32> = if valign != VAlign::Distribute {
                        vec![0.0; paragraph_gaps]
                    } else if let Some(pitch) = pitch {
                        let lines = ((spare + 0.01) / pitch).floor() as usize;
                        let sections = before_heading.iter().filter(|&&h| h).count();
                        let per_section = usize::from(sections > 0 && lines >= sections);
                        before_heading
                            .iter()
                            .map(|&h| if h { per_section as f32 * pitch } else { 0.0 })
                            .collect()
                    } else if target.side_head.is_some() {
                        // Beside side heads the rows differ in height (a caption of three
                        // lines, one of two): the spare evens their steps, head to head,
                        // the shortest growing first, so the figures stand on equal steps
                        // as far as it reaches. What is left stays at the foot.
                        let head_tops: Vec<f32> = placed
                            .iter()
                            .enumerate()
                            .filter(|&(i, (_, b, _))| {
                                columns[*b] == Column::Head && (i == 0 || placed[i - 1].1 != *b)
                            })
                            .map(|(_, (top, _, _))| *top)
                            .collect();
                        let steps: Vec<f32> = head_tops.windows(2).map(|w| w[1] - w[0]).collect();
                        if steps.len() == paragraph_gaps {
                            even_steps(&steps, spare)
                        } else {
                            vec![spare / paragraph_gaps.max(1) as f32; paragraph_gaps]
                        }
                    } else {
                        // Off a grid the spare is shared out weighted, sections before
                        // paragraphs, each gap up to its own limit, so the columns reach
                        // down the page without a paragraph standing as far from the one
                        // above as a section does. What is left stays at the foot.
                        share_spare(&off_grid_shares(&placed, &blocks, &before_heading), spare)
                    };
                    let mut previous_block = placed.first().map(|p| p.1);
                    let mut spread = 0.0;
                    let mut gap_index = 0;
                    for (top, b, line) in placed {
                        if let Some(previous) = previous_block.filter(|&p| p != b) {
                            // A heading stays with its text, a figure with its caption,
                            // and text beside a side head with the head: the gap goes
                            // above them.
                            if !leads_into_next(&blocks[previous]) && columns[b] != Column::Beside {
                                spread += gaps.get(gap_index).copied().unwrap_or(0.0);
                                gap_index += 1;
                            }
                            previous_block = Some(b);
                        }
                        // Where the text ends: a frame that `follows` this one starts there.
                        let foot = area.y.0 + top + shift + spread + line_height(&blocks[b].style);
                        self.state.text_foot[fi] =
                            Some(self.state.text_foot[fi].map_or(foot, |f| f.max(foot)));
                        let baseline = area.y.0
                            + top
                            + shift
                            + spread
                            + baseline_offset(&blocks[b], self.fonts);
                        self.state.last_baseline[fi] = Some(
                            self.state.last_baseline[fi].map_or(baseline, |l| l.max(baseline)),
                        );
                        let cap_top = baseline - cap_height(&blocks[b], self.fonts);
                        self.state.first_cap_top[fi] =
                            Some(self.state.first_cap_top[fi].map_or(cap_top, |t| t.min(cap_top)));
                        self.emit_line(
                            target,
                            column_area(area, target.side_head.as_ref(), columns[b]),
                            Pt(top + shift + spread),
                            &blocks[b],
                            &line,
                            &mut frame_items[fi],
                            frame.decorative || matches!(key, BlockKey::Folio | BlockKey::Edition),
                        );
                    }
                }
            }
            Err(Failure::Fatal(d) | Failure::TooWide(d)) => self.state.problems.push(d),
            Err(Failure::Overflow {
                frame: fi,
                excess,
                used,
                available,
                field,
            }) => {
                let target = &layout.frames[fi];
                let remedies = if tried.is_empty() {
                    String::new()
                } else {
                    format!(" after trying to {}", tried.join(" and "))
                };
                let message = format!(
                    "text does not fit frame `{}` of layout `{}` for edition {}{remedies}: {:.1} mm too tall (needs {:.1} mm, has {:.1} mm)",
                    target.id,
                    layout.name,
                    self.resolved.edition,
                    excess / PT_PER_MM,
                    used / PT_PER_MM,
                    available / PT_PER_MM
                );
                let d = self.frame_error(target, message).hint(format!(
                    "the text from `{field}` on does not fit; shorten it, give the style a fit policy or a smaller size, or enlarge the frame"
                ));
                self.state.problems.push(d);
            }
        }
    }

    /// What a frame's fit search reads, digested (see [`decisions`]): the layout's name, the
    /// language, the campaign and the font book; the chain's frames as the layout gives
    /// them and where they stand in this edition; the block; each paragraph's role,
    /// language and text and the name of the style it is set in, then each style named,
    /// once (a body frame's dozen paragraphs share two or three styles, and writing a
    /// style out was most of the digest); the typography.
    fn decision_key(
        &self,
        first: usize,
        key: &BlockKey,
        chain: &[usize],
        paras: &[Para],
    ) -> decisions::DecisionKey {
        let layout = self.layout;
        let mut k = decisions::KeyWriter::new();
        k.part(&layout.name)
            .part(&self.resolved.edition.lang)
            .part(&self.resolved.campaign_id)
            .part(&self.fonts.id())
            .part(&first)
            .part(key);
        for &fi in chain {
            k.part(&layout.frames[fi]).part(&self.state.rects[fi]);
        }
        let frame = &layout.frames[first];
        let mut styles: Vec<&str> = Vec::new();
        for para in paras {
            let style = frame.style_for(para.role);
            k.part(&para.role)
                .part(&para.lang)
                .text(&para.markdown)
                .part(&style);
            if let Some(style) = style
                && !styles.contains(&style)
            {
                styles.push(style);
            }
        }
        for style in styles {
            k.part(&style).part(&layout.styles.get(style));
        }
        k.part(&self.resolved.typography);
        k.finish()
    }

    /// The frame's paragraphs prepared in their styles, adjusted by the fit policy.
    fn blocks<'p>(
        &self,
        frame: &Frame,
        key: &BlockKey,
        paras: &'p [Para],
        adjust: Adjust,
        prepared: &std::cell::RefCell<Vec<Option<text::Prepared>>>,
    ) -> Result<Vec<Block<'p>>, Failure> {
        // A county's name stacked as a mark breaks between its words ("SAN LUIS / OBISPO /
        // COUNTY"), where in running text it is a phrase kept on one line.
        let loose;
        let typography = if *key == BlockKey::Edition {
            loose = crate::typography::Typography {
                keep_together: Vec::new(),
                ..self.resolved.typography.clone()
            };
            &loose
        } else {
            &self.resolved.typography
        };
        let mut blocks = Vec::new();
        for (index, para) in paras.iter().enumerate() {
            let Some(base) = frame
                .style_for(para.role)
                .and_then(|s| self.layout.styles.get(s))
            else {
                let message = format!(
                    "frame `{}` has no style for `{}` paragraphs of `{key}`",
                    frame.id, para.role
                );
                return Err(Failure::Fatal(self.frame_error(frame, message).hint(
                    format!(
                        "add `styles = {{ {} = \"…\" }}` or `style = \"…\"` to the frame",
                        para.role
                    ),
                )));
            };
            let style = adjusted(base, adjust);
            // A paragraph after another of its role opens with its style's indent (em
            // spaces: fixed, they neither stretch nor shrink in a justified line).
            let indented;
            let inline = if style.indent > 0
                && index > 0
                && paras[index - 1].role == para.role
                && let Some(crate::markup::Piece::Text { text, .. }) = para.inline.pieces.first()
                && !text.is_empty()
            {
                let mut with_indent = para.inline.clone();
                if let Some(crate::markup::Piece::Text { text, .. }) =
                    with_indent.pieces.first_mut()
                {
                    text.insert_str(0, &"\u{2003}".repeat(style.indent.into()));
                }
                indented = with_indent;
                &indented
            } else {
                &para.inline
            };
            if let Some(first) = &prepared.borrow()[index] {
                let prepared = first.resized(style.size.0, style.tracking, self.fonts);
                blocks.push(Block::new(para, style, prepared));
                continue;
            }
            match text::prepare_shared(
                inline,
                &style,
                self.fonts,
                &self.resolved.edition.lang,
                typography,
            ) {
                Ok(first) => {
                    prepared.borrow_mut()[index] = Some(first.clone());
                    blocks.push(Block::new(para, style, first))
                }
                Err(TextError::MissingGlyphs(missing)) => {
                    return Err(Failure::Fatal(self.missing_glyphs(frame, para, &missing)));
                }
                Err(TextError::TooWide { .. }) => unreachable!("prepare does not break lines"),
            }
        }
        Ok(blocks)
    }

    /// Places the blocks' lines into the chain of frames. A paragraph split between frames
    /// keeps at least two lines on each side when it has them. Lines make room for their
    /// ink (see `ink`): within a paragraph the leading grows evenly to what its most
    /// crowded pair of lines needs; a paragraph's first line moves down only as far as the
    /// line above it in the frame (another paragraph's) asks.
    /// Where the chain balances (a frame with `balance`, and the text ending in it or a
    /// later frame): that frame's index in the chain and the least column height that still
    /// holds all the text; `None` when nothing balances or it would change nothing.
    fn balanced_height(
        &self,
        chain: &[usize],
        blocks: &[Block],
        placements: &[Placement],
    ) -> Option<(usize, f32)> {
        let from = chain
            .iter()
            .position(|&fi| self.layout.frames[fi].balance)?;
        let last_used = placements.iter().rposition(|p| !p.is_empty())?;
        if last_used < from {
            return None;
        }
        let frame = &self.layout.frames[chain[from]];
        let full = self.area(frame).h.0;
        let holds = |h: f32| self.place(chain, blocks, Some((from, h))).is_ok();
        // The least height that holds everything, to a tenth of a point.
        let (mut short, mut enough) = (0.0f32, full);
        while enough - short > 0.1 {
            let mid = (short + enough) / 2.0;
            if holds(mid) {
                enough = mid;
            } else {
                short = mid;
            }
        }
        (enough < full - 0.1).then_some((from, enough))
    }

    /// Places the blocks' lines frame by frame along the chain; `cap` limits the height of
    /// the frames from a chain index on (balanced columns).
    fn place(
        &self,
        chain: &[usize],
        blocks: &[Block],
        cap: Option<(usize, f32)>,
    ) -> Result<Vec<Placement>, Failure> {
        let layout = self.layout;
        let mut placements = Vec::new();
        let mut grid = chain_grid(&layout.frames[chain[0]], blocks);
        let mut cursor = (0usize, 0usize); // (block, byte offset)
        for (n, &fi) in chain.iter().enumerate() {
            let target = &layout.frames[fi];
            let last_frame = n + 1 == chain.len();
            // Flow measures in plain points: the frame's measure and depth, the depth capped
            // for balanced columns.
            let area: Rect = self.area(target);
            let columns = columns(target, blocks);
            let mut row: Option<HeadRow> = None;
            let mut depth = area.h.0;
            if let Some((_, height)) = cap.filter(|&(from, _)| n >= from) {
                depth = depth.min(height);
            }
            let mut placed: Placement = Vec::new();
            let mut y = 0.0f32;
            // Where the lines off the grid placed since the last line on it begin.
            let mut hug_from: Option<usize> = None;
            let mut previous_after = 0.0f32; // the space after the block above
            // The last line placed in this frame: its baseline (from the frame top) and ink.
            let mut above: Option<(f32, Rc<[InkBox]>)> = None;
            'blocks: while cursor.0 < blocks.len() {
                let block = &blocks[cursor.0];
                let column = columns[cursor.0];
                let measure = column_area(area, target.side_head.as_ref(), column).w.0;
                let height = line_height(&block.style);
                // A side head starts below the head and the text beside it before it.
                if column == Column::Head
                    && let Some(before) = row.take()
                {
                    y = y.max(before.bottom);
                }
                let line_end = y - previous_after; // the bottom of the line above
                let above_head = above.clone();
                match row.as_mut() {
                    // The first text beside a side head: its capitals level with the head's.
                    Some(head) if column == Column::Beside && head.fresh && cursor.1 == 0 => {
                        head.fresh = false;
                        y = head.cap_top
                            - (baseline_offset(block, self.fonts) - cap_height(block, self.fonts));
                        above = head.above.clone();
                    }
                    _ => {
                        if cursor.1 == 0 && !placed.is_empty() {
                            y += block.style.space_before.0;
                        }
                    }
                }
                // A fixed first baseline: the frame's first line sits on it, in any face.
                if placed.is_empty()
                    && row.is_none()
                    && let Some(first) = target.first_baseline
                {
                    y = first.0 - baseline_offset(block, self.fonts);
                }
                let breaks = self.breaks(target, block, cursor.1, measure)?;
                let count = breaks.len();
                let lines: Vec<Line> = breaks
                    .iter()
                    .enumerate()
                    .map(|(li, brk)| {
                        block
                            .prepared
                            .set_line(brk, measure, li + 1 == count, self.fonts)
                    })
                    .collect();
                // On a grid, lines keep their pitch (the grid's, or a heading's own leading,
                // which the layout chose to add up to whole grid lines) unless ink touches.
                let on_grid = grid.as_ref().map(|g| {
                    if g.role == block.para.role.name() {
                        g.pitch
                    } else {
                        height
                    }
                });
                // The lines' ink, where the style keeps ink apart.
                let inks: Vec<Rc<[InkBox]>> = match block.style.ink_gap() {
                    Some(_) => breaks
                        .iter()
                        .zip(&lines)
                        .enumerate()
                        .map(|(li, (brk, line))| {
                            block.line_ink(brk, measure, li + 1 == count, line, self.fonts)
                        })
                        .collect(),
                    None => Vec::new(),
                };
                let mut tops = self.line_tops(block, &lines, &inks, y, above.as_ref(), on_grid);
                if let Some(grid) = grid.as_mut() {
                    let offset = baseline_offset(block, self.fonts);
                    // Half the declared space above may go, never the space the ink asked for.
                    let give = match tops.first() {
                        Some(&t) if t <= y + 0.01 => (y - line_end) / 2.0,
                        _ => 0.0,
                    };
                    let (shift, lift) = grid.snap(
                        &mut tops,
                        offset,
                        block.para.role.name(),
                        placed.is_empty(),
                        give,
                    );
                    // The heading that opened the chain follows its text down (by less
                    // than half a line) rather than leaving a blank line under it.
                    for line in &mut placed {
                        line.0 += lift;
                    }
                    // Lines off the grid (a heading) keep their distance to the text after
                    // them: they move down with it, and the space above them grows instead.
                    if let Some(from) = hug_from.filter(|_| shift > 0.0) {
                        for line in &mut placed[from..] {
                            line.0 += shift;
                        }
                    }
                    // A heading at the top of a later column, whose text misses the grid
                    // line under it by a little (under a quarter line), rises by that much
                    // and its text takes that line: dropped to the next, the text stood a
                    // blank line under its head (rounds 49-50, Arabic page 2).
                    let miss = grid.pitch - shift;
                    if n > 0
                        && block.para.role.name() == grid.role
                        && shift > 0.01
                        && miss > 0.0
                        && miss <= grid.pitch / 4.0
                        && !placed.is_empty()
                        && placed
                            .iter()
                            .all(|(_, b, _)| blocks[*b].para.role.name() != grid.role)
                    {
                        for top in &mut tops {
                            *top -= grid.pitch;
                        }
                        for line in &mut placed {
                            line.0 -= miss;
                        }
                    }
                    if block.para.role.name() == grid.role {
                        hug_from = None;
                    } else if hug_from.is_none() && !placed.is_empty() {
                        hug_from = Some(placed.len());
                    }
                }
                let fitting = tops.iter().take_while(|&&t| t + height <= depth + 0.01);
                let mut fits = fitting.count();
                // A heading stays with the first lines of what follows it: at the foot of a
                // column, a heading over two lines reads as stranded.
                if block.para.role == Role::Heading
                    && !last_frame
                    && fits >= count
                    && cursor.0 + 1 < blocks.len()
                {
                    let next = &blocks[cursor.0 + 1];
                    let after = tops[count - 1]
                        + height
                        + block.style.space_after.0
                        + next.style.space_before.0;
                    let next_lines = next
                        .prepared
                        .break_lines(0, measure)
                        .map_or(1, |b| b.len().min(HEADING_KEEPS_LINES));
                    let next_height = line_height(&next.style);
                    let mut next_tops: Vec<f32> = (0..next_lines)
                        .map(|i| after + i as f32 * next_height)
                        .collect();
                    // On a grid the text after the heading may have to move down to it.
                    if let Some(grid) = grid.as_ref() {
                        let offset = baseline_offset(next, self.fonts);
                        grid.clone().snap(
                            &mut next_tops,
                            offset,
                            next.para.role.name(),
                            false,
                            0.0,
                        );
                    }
                    if next_tops.last().map_or(after, |t| t + next_height) > depth + 0.01 {
                        fits = 0;
                    }
                }
                if fits < count && !last_frame {
                    // Split here, but never leave one line alone on either side.
                    let mut keep = fits;
                    if keep == 1 && count > 1 {
                        keep = 0;
                    }
                    if count - keep == 1 {
                        // One line would be left alone at the top of the next frame: send
                        // another with it, or the whole paragraph if that would orphan one here.
                        keep = if keep > 2 { keep - 1 } else { 0 };
                    }
                    // No word divided across columns or the page turn ("popu- / lation"):
                    // the hyphenated line goes on with the rest, while two stay here; with
                    // only two here, one would be left alone, so the paragraph goes on whole.
                    if keep >= 2 && breaks[keep - 1].hyphen {
                        keep = if keep > 2 { keep - 1 } else { 0 };
                    }
                    for (top, line) in tops.into_iter().zip(lines).take(keep) {
                        placed.push((top, cursor.0, line));
                    }
                    cursor.1 = breaks[keep].range.start;
                    break 'blocks;
                }
                let baseline = baseline_offset(block, self.fonts);
                let gap = block.style.ink_gap();
                if column == Column::Head {
                    row = tops.first().map(|&top| HeadRow {
                        cap_top: top + baseline - cap_height(block, self.fonts),
                        bottom: 0.0, // set below, when the head's lines are placed
                        above: above_head.clone(),
                        fresh: true,
                    });
                }
                for (li, (top, line)) in tops.into_iter().zip(lines).enumerate() {
                    if gap.is_some() {
                        above = Some((top + baseline, inks[li].clone()));
                    }
                    y = top + height;
                    placed.push((top, cursor.0, line));
                }
                if y > depth + 0.01 {
                    let needed = self.height_needed(target, blocks, &columns, cursor, y);
                    return Err(Failure::Overflow {
                        frame: fi,
                        excess: needed - depth,
                        used: needed,
                        available: depth,
                        field: block.para.field.clone(),
                    });
                }
                y += block.style.space_after.0;
                previous_after = block.style.space_after.0;
                if column == Column::Head
                    && let Some(head) = row.as_mut()
                {
                    head.bottom = y;
                }
                cursor = (cursor.0 + 1, 0);
            }
            placements.push(placed);
        }
        Ok(placements)
    }

    /// The top of each of a block's lines in its frame, starting at `y`: the leading, grown
    /// evenly where the paragraph's own lines would bring ink closer than the style's
    /// `ink_gap`, and the whole paragraph moved down where its first line would come too
    /// close to the line `above` it (baseline from the frame top, and ink).
    /// On a baseline grid (`grid_pitch`: the grid's pitch, or a heading's own line height),
    /// lines keep that pitch unless their ink would actually touch: lines level across
    /// columns matter more than the last fraction of a point of `ink_gap`.
    fn line_tops(
        &self,
        block: &Block,
        lines: &[Line],
        inks: &[Rc<[InkBox]>],
        y: f32,
        above: Option<&(f32, Rc<[InkBox]>)>,
        grid_pitch: Option<f32>,
    ) -> Vec<f32> {
        let height = line_height(&block.style);
        let Some(Pt(gap)) = block.style.ink_gap() else {
            return (0..lines.len()).map(|i| y + i as f32 * height).collect();
        };
        let mut step = inks
            .windows(2)
            .map(|pair| ink::clearance(&pair[0], &pair[1], gap, height))
            .fold(height, f32::max);
        if let Some(pitch) = grid_pitch.filter(|&p| step > p) {
            let touching = inks
                .windows(2)
                .map(|pair| ink::clearance(&pair[0], &pair[1], 0.0, height))
                .fold(height, f32::max);
            if touching <= pitch {
                step = pitch;
            }
        }
        let mut first = y;
        if let (Some((baseline, ink)), Some(own)) = (above, inks.first()) {
            let offset = baseline_offset(block, self.fonts);
            let natural = y + offset - baseline;
            let push = ink::clearance(ink, own, gap, natural) - natural;
            // On a grid the first line keeps its place too unless the ink touches: with no
            // space between paragraphs, Arabic's marks asked a fraction more than the grid
            // gave, and the paragraph dropped a whole grid line.
            let touches = || ink::clearance(ink, own, 0.0, natural) > natural;
            if grid_pitch.is_none() || touches() {
                first += push;
            }
        }
        (0..lines.len()).map(|i| first + i as f32 * step).collect()
    }

    /// The height `frame`, the chain's last, would need for everything from `cursor` on,
    /// given `used` so far: each block broken at its column's measure, and a side head's
    /// row as tall as the head or the text beside it, whichever is taller.
    fn height_needed(
        &self,
        frame: &Frame,
        blocks: &[Block],
        columns: &[Column],
        cursor: (usize, usize),
        used: f32,
    ) -> f32 {
        let area = self.area(frame);
        let lines_of = |block: &Block, column: Column| {
            let width = column_area(area, frame.side_head.as_ref(), column).w.0;
            block
                .prepared
                .break_lines(0, width)
                .map_or(1, |b| b.len().max(1)) as f32
                * line_height(&block.style)
        };
        // A side head's row is as tall as the head or the text beside it (which starts
        // level with the head), each with its space after; rows are apart by the next
        // head's space before. The block that overflowed is in `used` already; when it is a
        // head, its row is counted from the head's top.
        let current = &blocks[cursor.0];
        let mut total = used;
        let mut pending_after = current.style.space_after.0;
        let mut row: Option<(f32, f32)> = None;
        if columns[cursor.0] == Column::Head {
            let head = lines_of(current, Column::Head);
            total -= head;
            row = Some((head + pending_after, 0.0));
            pending_after = 0.0;
        }
        for (block, &column) in blocks.iter().zip(columns).skip(cursor.0 + 1) {
            let lines = lines_of(block, column);
            let (before, after) = (block.style.space_before.0, block.style.space_after.0);
            match (column, row.as_mut()) {
                (Column::Beside, Some((_, beside))) => {
                    if *beside > 0.0 {
                        *beside += before;
                    }
                    *beside += lines + after;
                }
                (column, _) => {
                    if let Some((head, beside)) = row.take() {
                        total += head.max(beside);
                        pending_after = 0.0;
                    }
                    total += pending_after + before;
                    if column == Column::Head {
                        row = Some((lines + after, 0.0));
                        pending_after = 0.0;
                    } else {
                        total += lines;
                        pending_after = after;
                    }
                }
            }
        }
        if let Some((head, beside)) = row {
            total += head.max(beside);
        }
        total
    }

    /// Line breaks for a block, balanced for styles that ask (headlines): the narrowest
    /// measure that keeps the same number of lines, so lines come out of similar length.
    fn breaks(
        &self,
        frame: &Frame,
        block: &Block,
        from: usize,
        width: f32,
    ) -> Result<Vec<super::linebreak::Break>, Failure> {
        let too_wide = |word: String, excess: f32| {
            // A side head, or the text beside one, has a column of the frame, not all of it.
            let full = self.area(frame).w.0;
            let column = if width < full - 0.01 {
                format!("the {width:.1} pt column of frame")
            } else {
                "frame".to_string()
            };
            let message = format!(
                "`{word}` is {:.1} mm wider than {column} `{}` of layout `{}` for edition {}",
                excess / PT_PER_MM,
                frame.id,
                self.layout.name,
                self.resolved.edition
            );
            let remedy = if frame.side_head.is_some() {
                "use a smaller style or a wider `side_head.width`"
            } else {
                "use a smaller style or a wider frame"
            };
            Failure::TooWide(
                self.frame_error(frame, message)
                    .hint(format!("from `{}`; {remedy}", block.para.field)),
            )
        };
        let mut width = width;
        let mut breaks = match block.prepared.break_lines(from, width) {
            Ok(b) => b,
            Err(TextError::TooWide { word, excess }) => return Err(too_wide(word, excess)),
            Err(TextError::MissingGlyphs(_)) => unreachable!("glyphs were checked when prepared"),
        };
        // A declared line count (a lock-up): the widest measure that makes that many lines,
        // found by halving; the words decide when they cannot make so many.
        if let Some(wanted) = block.style.lines
            && breaks.len() < wanted
        {
            let count = |w: f32| block.prepared.break_lines(from, w).map(|b| b.len());
            // The narrowest measure the longest word allows, then the widest that still
            // gives the wanted number of lines.
            let (mut too_narrow, mut fits) = (0.0f32, width);
            for _ in 0..14 {
                let mid = (too_narrow + fits) / 2.0;
                if count(mid).is_ok() {
                    fits = mid;
                } else {
                    too_narrow = mid;
                }
            }
            let (mut enough, mut too_few) = (fits, width);
            if count(enough).is_ok_and(|n| n >= wanted) {
                for _ in 0..14 {
                    let mid = (enough + too_few) / 2.0;
                    if count(mid).is_ok_and(|n| n >= wanted) {
                        enough = mid;
                    } else {
                        too_few = mid;
                    }
                }
                if let Ok(narrow) = block.prepared.break_lines(from, enough) {
                    width = enough;
                    breaks = narrow;
                }
            }
        }
        if !block.style.balance || breaks.len() < 2 {
            return Ok(breaks);
        }
        let lines = breaks.len();
        let keeps_count = |w: f32| {
            block
                .prepared
                .break_lines(from, w)
                .is_ok_and(|b| b.len() == lines)
        };
        let mut low = width * 0.4;
        let mut high = width;
        for _ in 0..14 {
            let mid = (low + high) / 2.0;
            if keeps_count(mid) {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(block.prepared.break_lines(from, high).unwrap_or(breaks))
    }
}

/// What to add to each step so the shortest come up toward the longest, with at most
/// `spare` in all (water filling): the steps end as equal as the spare allows, none longer
/// than the longest was.
fn even_steps(steps: &[f32], spare: f32) -> Vec<f32> {
    let longest = steps.iter().copied().fold(0.0f32, f32::max);
    let needed = |level: f32| steps.iter().map(|s| (level - s).max(0.0)).sum::<f32>();
    // The level the spare lifts the short steps to, found by halving.
    let (mut low, mut high) = (steps.iter().copied().fold(longest, f32::min), longest);
    if needed(high) <= spare {
        low = high;
    } else {
        for _ in 0..40 {
            let mid = (low + high) / 2.0;
            if needed(mid) <= spare {
                low = mid;
            } else {
                high = mid;
            }
        }
    }
    steps.iter().map(|s| (low - s).max(0.0)).collect()
}

/// How a gap between paragraphs takes part in sharing out a frame's spare height.
#[derive(Clone, Copy, Debug)]
struct GapShare {
    /// Its share relative to the other gaps'.
    weight: f32,
    /// The most it may grow.
    limit: f32,
}

/// How far down its frame the text placed in it reaches: the lowest line's foot (beside a
/// side head, the head may reach lower than the last line set).
fn text_depth(placed: &Placement, blocks: &[Block]) -> f32 {
    placed
        .iter()
        .map(|(top, b, _)| top + line_height(&blocks[*b].style))
        .fold(0.0, f32::max)
}

/// Whether each gap between the paragraphs placed in a frame (where the spare of a
/// distributing frame may go) stands before a heading; none after a block that leads into
/// the next (a heading, a figure) or before text beside a side head.
fn gaps_before_headings(placed: &Placement, blocks: &[Block], columns: &[Column]) -> Vec<bool> {
    placed
        .windows(2)
        .filter(|w| {
            w[0].1 != w[1].1
                && !leads_into_next(&blocks[w[0].1])
                && columns[w[1].1] != Column::Beside
        })
        .map(|w| blocks[w[1].1].para.role == Role::Heading)
        .collect()
}

/// How the gaps of a distributing frame off a baseline grid share its spare: a gap before
/// a heading three times as much as one between paragraphs, and up to a line against a
/// paragraph's quarter line (of the frame's first text that is not a heading). A wider
/// gap read as a hole, and a paragraph as far from the last as a section (rounds 35–43).
fn off_grid_shares(placed: &Placement, blocks: &[Block], before_heading: &[bool]) -> Vec<GapShare> {
    // The text's line, not a heading's that may open the column.
    let line = placed
        .iter()
        .find(|p| !leads_into_next(&blocks[p.1]))
        .or(placed.first())
        .map_or(0.0, |p| line_height(&blocks[p.1].style));
    before_heading
        .iter()
        .map(|&heading| {
            if heading {
                GapShare {
                    weight: 3.0,
                    limit: line,
                }
            } else {
                GapShare {
                    weight: 1.0,
                    limit: 0.25 * line,
                }
            }
        })
        .collect()
}

/// What each gap grows by: the spare shared in proportion to the weights, a gap that
/// reaches its limit stopping there and the others going on, until the spare is used or
/// every gap is at its limit.
fn share_spare(gaps: &[GapShare], spare: f32) -> Vec<f32> {
    let grown = |rate: f32| -> Vec<f32> {
        gaps.iter()
            .map(|g| (g.weight * rate).min(g.limit).max(0.0))
            .collect()
    };
    let total = |rate: f32| grown(rate).iter().sum::<f32>();
    let capacity: f32 = gaps.iter().map(|g| g.limit.max(0.0)).sum();
    if capacity <= spare {
        return grown(f32::MAX);
    }
    // The rate (spare per unit of weight) at which the grown gaps add up to the spare.
    let (mut low, mut high) = (0.0f32, spare.max(0.0));
    let smallest_weight = gaps.iter().map(|g| g.weight).fold(f32::MAX, f32::min);
    if smallest_weight > 0.0 {
        high /= smallest_weight;
    }
    for _ in 0..40 {
        let mid = (low + high) / 2.0;
        if total(mid) <= spare {
            low = mid;
        } else {
            high = mid;
        }
    }
    grown(low)
}

/// The baseline grid of a chain starting at `frame`, its pitch the line height of the
/// grid role's block.
fn chain_grid<'f>(frame: &'f Frame, blocks: &[Block]) -> Option<Grid<'f>> {
    baseline_grid(frame, |role| {
        let block = blocks.iter().find(|b| b.para.role.name() == role)?;
        Some(line_height(&block.style))
    })
}

pub(super) fn line_height(style: &Style) -> f32 {
    style.size.0 * style.leading
}

/// The height of a block's capitals, in points.
/// How far text with `spare` height left in its area moves down to sit as `valign` says:
/// half the spare centred, all of it at the foot; `None` where the text stays at the top
/// (or spreads its spare between paragraphs).
fn valign_shift(valign: VAlign, spare: f32) -> Option<f32> {
    match valign {
        VAlign::Middle => Some(spare / 2.0),
        VAlign::Bottom => Some(spare),
        VAlign::Top | VAlign::Distribute => None,
    }
}

fn cap_height(block: &Block, fonts: &crate::fonts::FontBook) -> f32 {
    fonts.face(block.prepared.spans[0].font).cap_height * block.style.size.0
}

/// Where a block's baseline sits below the top of its line box: the face's ascender to
/// descender, centred in the leading (as `emit_line` draws it).
pub(super) fn baseline_offset(block: &Block, fonts: &crate::fonts::FontBook) -> f32 {
    // The face of the first text, past an indent's spaces (set in whichever face has
    // them): an Arabic paragraph's em space from Noto Sans put its baseline off the grid.
    let prepared = &block.prepared;
    let span = prepared
        .spans
        .iter()
        .find(|s| !prepared.text[s.range.clone()].trim().is_empty())
        .unwrap_or(&prepared.spans[0]);
    let face = fonts.face(span.font);
    let size = block.style.size.0;
    let content = (face.ascender - face.descender) * size;
    (line_height(&block.style) - content) / 2.0 + face.ascender * size
}

/// A style with the fit adjustment applied, within its policy's limits. Styles without a
/// policy are never changed.
fn adjusted(base: &Style, adjust: Adjust) -> Style {
    let Some(fit) = &base.fit else {
        return base.clone();
    };
    let mut style = base.clone();
    let mut size = base.size * adjust.scale;
    size = size.max(fit.min);
    if let Some(max) = fit.max {
        size = size.min(max);
    }
    style.size = size;
    // Space around a paragraph is part of its type's rhythm: it scales with the size (a
    // baseline grid stays whole when a fit shrinks the text).
    let ratio = size / base.size;
    style.space_before = base.space_before * ratio;
    style.space_after = base.space_after * ratio;
    style.tracking = (base.tracking + adjust.tracking).max(fit.tracking_min.min(base.tracking));
    style
}

/// How closely a search for a size pins the largest fitted style's size: a twentieth of a
/// point, a difference no reader sees (see [`largest_fitting`]).
const SIZE_PRECISION_PT: f32 = 0.05;

/// The scale within which a size search stops for `styles` (the frame's fitted styles):
/// [`SIZE_PRECISION_PT`] of the largest.
fn scale_precision(styles: &[&Style]) -> f32 {
    let largest = styles.iter().map(|s| s.size.0).fold(0.0f32, f32::max);
    if largest > 0.0 {
        SIZE_PRECISION_PT / largest
    } else {
        0.0
    }
}

/// The largest value in [low, high] for which `fits` holds, assuming it holds below some
/// threshold and fails above it; `None` if it fails even at `low`. The halving stops once
/// the value is pinned within `precision`, after six halvings at most (1/64 of the
/// range). Each halving sets the frame's text again: growing a flyer's sections by at
/// most 5% had taken six halvings to pin its 14 pt heading to 0.01 pt, of which the last
/// two (a sixth of composing the flyer) moved it by less than 0.05 pt.
fn largest_fitting(low: f32, high: f32, precision: f32, fits: impl Fn(f32) -> bool) -> Option<f32> {
    if fits(high) {
        return Some(high);
    }
    if !fits(low) {
        return None;
    }
    let (mut ok, mut bad) = (low, high);
    for _ in 0..6 {
        if bad - ok <= precision {
            break;
        }
        let mid = (ok + bad) / 2.0;
        if fits(mid) {
            ok = mid;
        } else {
            bad = mid;
        }
    }
    Some(ok)
}

/// A paragraph that belongs with the one after it when spare height is shared out: a
/// section's heading with its text, a figure with its caption.
fn leads_into_next(block: &Block) -> bool {
    matches!(block.para.role, Role::Heading | Role::Value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layout::Fit;
    use crate::units::Pt;

    #[test]
    fn spare_evens_the_shortest_steps_first() {
        let close = |a: Vec<f32>, b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        // Enough to even them: the short step comes up to the long one, no further.
        assert!(close(even_steps(&[41.0, 29.0], 20.0), &[0.0, 12.0]));
        // Not enough: the short step gets all of it.
        assert!(close(even_steps(&[41.0, 29.0], 6.0), &[0.0, 6.0]));
        // Two short steps share what lifts them both.
        assert!(close(
            even_steps(&[30.0, 40.0, 30.0], 8.0),
            &[4.0, 0.0, 4.0]
        ));
        assert!(close(even_steps(&[30.0, 30.0], 0.0), &[0.0, 0.0]));
    }

    #[test]
    fn spare_goes_by_weight_up_to_each_gaps_limit() {
        let close = |a: Vec<f32>, b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        let heading = GapShare {
            weight: 3.0,
            limit: 30.0,
        };
        let paragraph = GapShare {
            weight: 1.0,
            limit: 8.0,
        };
        // Within the limits: three parts to a heading's gap for one to a paragraph's.
        assert!(close(
            share_spare(&[heading, paragraph], 20.0),
            &[15.0, 5.0]
        ));
        // A paragraph's gap stops at its limit; the heading's takes the rest.
        assert!(close(
            share_spare(&[paragraph, heading], 36.0),
            &[8.0, 28.0]
        ));
        // More than every gap may take: each at its limit, the rest left at the foot.
        assert!(close(
            share_spare(&[heading, paragraph], 100.0),
            &[30.0, 8.0]
        ));
        assert!(close(share_spare(&[heading], 0.0), &[0.0]));
        assert!(share_spare(&[], 12.0).is_empty());
    }

    #[test]
    fn adjustments_stay_within_the_policy() {
        let mut style = crate::compose::text::tests::style(crate::model::layout::Align::Left);
        style.tracking = 10.0;
        // Without a policy nothing changes.
        assert_eq!(
            adjusted(
                &style,
                Adjust {
                    scale: 0.5,
                    tracking: -50.0
                }
            )
            .size,
            Pt(10.0)
        );
        style.fit = Some(Fit {
            min: Pt(8.0),
            max: Some(Pt(14.0)),
            tracking_min: -20.0,
            remedies: vec![Remedy::Shrink],
        });
        let small = adjusted(
            &style,
            Adjust {
                scale: 0.5,
                tracking: -50.0,
            },
        );
        assert_eq!((small.size, small.tracking), (Pt(8.0), -20.0));
        let some = adjusted(
            &style,
            Adjust {
                scale: 0.9,
                tracking: -5.0,
            },
        );
        assert_eq!((some.size, some.tracking), (Pt(9.0), 5.0));
        assert_eq!(
            adjusted(
                &style,
                Adjust {
                    scale: 3.0,
                    tracking: 0.0
                }
            )
            .size,
            Pt(14.0)
        );
    }

    #[test]
    fn the_search_finds_the_largest_value_that_fits() {
        let found = largest_fitting(0.5, 1.0, 0.0, |x| x <= 0.8).unwrap();
        assert!((0.79..=0.8).contains(&found), "{found}");
        assert_eq!(largest_fitting(0.5, 1.0, 0.0, |_| true), Some(1.0));
        assert_eq!(largest_fitting(0.5, 1.0, 0.0, |_| false), None);
        // Within a precision: fewer halvings, still fitting, and no further off than it.
        let tries = std::cell::Cell::new(0);
        let found = largest_fitting(1.0, 1.05, 0.004, |x| {
            tries.set(tries.get() + 1);
            x <= 1.0186
        })
        .unwrap();
        assert!(found <= 1.0186 && 1.0186 - found <= 0.004, "{found}");
        assert_eq!(tries.get(), 2 + 4, "four halvings pin 0.05 to 0.004");
    }
}
