//! Layout files (`layouts/*.toml`): page size, grid, palette, styles and frames. Loading
//! resolves every name (colour, style, font, threaded frame) so compose cannot meet a
//! dangling reference. This file holds what a layout is and what can be done with one;
//! `file` reads one: the TOML as written and the checks that turn it into a `Layout`.

mod file;

use super::content::{BlockKey, Role};
use crate::diag::{Diagnostic, Location, SourceFile};
use crate::fonts::FontBook;
// Palette colours and rectangles are display-list types; layouts are made of them.
pub use crate::page::{Color, Rect};
use crate::units::{Insets, Pt};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Ceilings on layout numbers, checked where the file is read (docs/formats.md, "Limits").
/// Each is far above what a real layout uses and far below what would exhaust memory or
/// write numbers a PDF reader cannot take.
pub mod limits {
    use crate::units::Pt;

    /// Pages per document.
    pub const MAX_PAGES: usize = 16;
    /// Grid columns and rows.
    pub const MAX_GRID: u32 = 200;
    /// Border and rule widths, in points (1 in).
    pub const MAX_STROKE: Pt = Pt(72.0);
    /// A style's type size, in points (20 in).
    pub const MAX_TYPE_SIZE: Pt = Pt(1440.0);
    /// Leading, as a multiple of the size.
    pub const LEADING: (f64, f64) = (0.5, 5.0);
    /// Tracking, in thousandths of an em.
    pub const TRACKING: (f64, f64) = (-500.0, 1000.0);
    /// A style's `lines`.
    pub const MAX_LINES: usize = 100;
    /// Bleed, in points (1 in).
    pub const MAX_BLEED: Pt = Pt(72.0);
}

/// One step of a fit policy, tried in the order the style lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Remedy {
    /// Make the type smaller, down to the policy's `min`.
    Shrink,
    /// Set letters closer, down to the policy's `tracking_min`.
    Tighten,
}

/// A frame's request to grow its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextFit {
    /// Grow the type (within each style's `fit.max`) until the frame is full.
    Fill,
}

/// A resolved fit policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub min: Pt,
    pub max: Option<Pt>,
    /// Tracking floor in thousandths of an em.
    pub tracking_min: f32,
    pub remedies: Vec<Remedy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextTransform {
    #[default]
    None,
    Uppercase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    #[default]
    Top,
    Middle,
    Bottom,
    /// The frame's height is filled by spreading the spare space evenly between its
    /// paragraphs (a column of statistics that ends flush with its neighbour).
    Distribute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFit {
    #[default]
    Contain,
    Cover,
}

/// How a `sources` frame lists the campaign's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourcesMode {
    /// One footnote paragraph: "Sources: A; B; C".
    #[default]
    Inline,
    /// One paragraph per source, with what it is cited for and its address.
    List,
}

/// A text style with its font checked against the FontBook.
#[derive(Debug, Clone)]
pub struct Style {
    pub name: String,
    pub font: String,
    pub weight: u16,
    pub italic: bool,
    pub size: Pt,
    pub leading: f32,
    pub tracking: f32,
    pub color: Color,
    pub link_color: Option<Color>,
    pub transform: TextTransform,
    pub align: Align,
    pub space_before: Pt,
    pub space_after: Pt,
    pub hyphenate: bool,
    pub balance: bool,
    /// Ems of first-line indent for a paragraph after another of its role.
    pub indent: u8,
    pub lines: Option<usize>,
    /// Least ink distance between lines; `None` for the default share of the size.
    pub ink_gap: Option<Pt>,
    /// Lines never move for their ink (see `ink_gap`).
    pub keep_leading: bool,
    pub fit: Option<Fit>,
    /// Frames set in this style grow their text to fill (within `fit.max`).
    pub fill: bool,
}

/// The default least distance between the ink of adjacent lines, as a share of the size.
pub const DEFAULT_INK_GAP_EM: f32 = 0.06;

impl Style {
    /// The least distance, in points, the ink of a line of this style keeps from the line
    /// above it; `None` when the leading is kept exact.
    pub fn ink_gap(&self) -> Option<Pt> {
        if self.keep_leading {
            return None;
        }
        Some(self.ink_gap.unwrap_or(self.size * DEFAULT_INK_GAP_EM))
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub side: Side,
    pub color: Color,
    pub width: Pt,
}

/// One frame of a layout, resolved to points and named references.
#[derive(Debug, Clone)]
pub struct Frame {
    pub id: String,
    /// Position in the layout's `[[frames]]` list, for error messages.
    pub index: usize,
    /// 0-based page index.
    pub page: usize,
    pub rect: Rect,
    pub content: Option<BlockKey>,
    pub image: Option<String>,
    pub fit: ImageFit,
    pub style: Option<String>,
    pub role_styles: BTreeMap<String, String>,
    pub fill: Option<Color>,
    pub border: Option<(Color, Pt)>,
    pub radius: Pt,
    pub rules: Vec<Rule>,
    pub inset: Insets,
    pub valign: VAlign,
    pub bleed: Vec<Side>,
    /// Index of the frame that takes text this one cannot hold.
    pub continue_to: Option<usize>,
    /// True for a frame that only receives text threaded from another.
    pub is_continuation: bool,
    pub sources: SourcesMode,
    pub text_fit: Option<TextFit>,
    /// Its text is decoration (an artifact), not part of the document's structure.
    pub decorative: bool,
    /// The frame that takes this one's area when this one has nothing to show.
    pub collapse_into: Option<usize>,
    /// The frame it collapses into moves into its place, keeping its size.
    pub collapse_moves: bool,
    /// The frame above whose text this one follows: its top moves up to where that text
    /// ends in the edition (see `compose`), its foot stays.
    pub follows: Option<usize>,
    /// The frame (set before this one, on its page) whose last baseline this frame's last
    /// baseline stands level with, where that frame has text.
    pub end_level_with: Option<usize>,
    /// On an image frame: the frame (set before it, on its page) whose first line's
    /// capitals the tile's top stands level with.
    pub top_level_with: Option<usize>,
    /// The first baseline's distance below the top of the text area, when fixed.
    pub first_baseline: Option<Pt>,
    /// The content an image frame shows instead when the edition has no image.
    pub stand_in: Option<BlockKey>,
    /// Balance the chain's columns from this frame on when the text ends in them.
    pub balance: bool,
    /// The content role whose (fitted) line height spaces this frame's baselines, and
    /// those of the frames it threads into; `None`: each style keeps its own leading.
    pub baseline_grid: Option<String>,
    /// Frames with the same `fit_group` are set at one (the smallest fitted) size.
    pub fit_group: Option<String>,
    /// Paragraphs of one role set in a narrow column beside the paragraphs that follow
    /// them (a statistic's figure beside its sentence).
    pub side_head: Option<SideHead>,
    pub location: Location,
}

/// A frame's side heads: each paragraph of `role` is set in a column `width` wide at the
/// frame's start (its right side when `at_right`: a right-to-left edition), and the
/// paragraphs after it, up to the next one, beside it, `gap` apart, their first line's
/// capitals level with the head's. The next head starts below both.
#[derive(Debug, Clone, PartialEq)]
pub struct SideHead {
    pub role: String,
    pub width: Pt,
    pub gap: Pt,
    pub at_right: bool,
}

impl Frame {
    /// The style for a role of its content (`styles = { heading = "…", body = "…" }`).
    pub fn style_for(&self, role: Role) -> Option<&str> {
        self.role_styles
            .get(role.name())
            .or(self.style.as_ref())
            .map(String::as_str)
    }
}

/// The print preflight's limits for a layout (`[print]`), in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintRules {
    pub safe: Pt,
    pub min_text_size: Pt,
    /// Indexes of the frames held to `min_fine_print_size`.
    pub fine_print: Vec<usize>,
    pub min_fine_print_size: Pt,
}

/// A fully resolved layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The file stem, e.g. `flyer-letter`; the output file is `<name>.pdf`.
    pub name: String,
    pub kind: String,
    pub description: String,
    pub file: SourceFile,
    pub width: Pt,
    pub height: Pt,
    pub margin: Pt,
    pub bleed: Pt,
    pub pages: usize,
    pub mirror_rtl: bool,
    /// Palette colours whose CMYK is not pinned (`cmyk` is `None`) are separated from
    /// their `rgb` through the print profile when a print file is made (`crate::color`).
    pub colors: BTreeMap<String, Color>,
    /// Palette colours marked `black = true`: text and rules in them print in 100 K and
    /// overprint; fills in them print as the rich black derived from `rgb`.
    pub black: std::collections::BTreeSet<String>,
    pub styles: BTreeMap<String, Style>,
    /// Styles as a language overrides them (`[styles.<name>.lang.<tag>]`): tag → name →
    /// the whole style.
    pub lang_styles: BTreeMap<String, BTreeMap<String, Style>>,
    pub frames: Vec<Frame>,
    pub print: PrintRules,
    /// The output profile `[print] icc` names, checked to be a CMYK output profile; print
    /// files use the bundled GRACoL profile when it is `None` (and no `--icc` is given).
    pub icc: Option<std::sync::Arc<crate::pdfx::IccProfile>>,
}

/// Content keys a frame may show: a block, or one item of a list block ("stats.2").
pub const CONTENT_KEYS: &[&str] = &[
    "kicker",
    "headline",
    "definition",
    "sections",
    "facts",
    "callout",
    "stats",
    "contact",
    "action",
    "agency",
    "folio",
    "sources",
    "edition",
];
/// Image keys a frame may show.
pub const IMAGE_KEYS: &[&str] = &["logo"];

impl Layout {
    /// The layout with each frame that has nothing to show in an edition handing its area
    /// to the frame it names in `collapse_into`; `None` when nothing collapses.
    pub fn collapsed(&self, is_empty: impl Fn(&Frame) -> bool) -> Option<Layout> {
        let mut layout: Option<Layout> = None;
        for frame in &self.frames {
            let Some(target) = frame.collapse_into else {
                continue;
            };
            if !is_empty(frame) {
                continue;
            }
            let layout = layout.get_or_insert_with(|| self.clone());
            let into = layout.frames[target].rect;
            let gone = frame.rect;
            let (x, y) = (into.x.min(gone.x), into.y.min(gone.y));
            layout.frames[target].rect = if frame.collapse_moves {
                // Toward the side the collapsed frame stood on (its right in a mirrored,
                // right-to-left layout), by as far as it reached past the target: across
                // for frames side by side, up or down for frames stacked.
                let side_by_side =
                    gone.right().0 <= into.x.0 + 0.01 || into.right().0 <= gone.x.0 + 0.01;
                // Along one axis: to where the collapsed frame started when it stood before
                // the target, else its end less the target's length.
                let slide = |start: Pt, length: Pt, gone_start: Pt, gone_end: Pt| {
                    if gone_start < start {
                        gone_start
                    } else {
                        start.max(gone_end - length)
                    }
                };
                if side_by_side {
                    Rect {
                        x: slide(into.x, into.w, gone.x, gone.right()),
                        ..into
                    }
                } else {
                    Rect {
                        y: slide(into.y, into.h, gone.y, gone.bottom()),
                        ..into
                    }
                }
            } else {
                Rect {
                    x,
                    y,
                    w: into.right().max(gone.right()) - x,
                    h: into.bottom().max(gone.bottom()) - y,
                }
            };
        }
        layout
    }

    /// The layout mirrored left to right, for right-to-left editions: a reader starts at
    /// the right, so the first column, the sidebar and the threading order move over.
    pub fn mirrored(&self) -> Layout {
        let flip = |side: Side| match side {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
            other => other,
        };
        let mut layout = self.clone();
        for frame in &mut layout.frames {
            frame.rect.x = self.width - frame.rect.x - frame.rect.w;
            frame.bleed = frame.bleed.iter().map(|&s| flip(s)).collect();
            for rule in &mut frame.rules {
                rule.side = flip(rule.side);
            }
            std::mem::swap(&mut frame.inset.left, &mut frame.inset.right);
            if let Some(side) = &mut frame.side_head {
                side.at_right = !side.at_right;
            }
        }
        layout
    }

    /// The styles an edition in `lang` is set in: each style as the most specific
    /// `[styles.<name>.lang.<tag>]` that matches overrides it (the primary language
    /// `zh` matches `zh-Hant`; `zh-Hant` wins over `zh`). `None` when nothing changes.
    pub fn styles_for_language(&self, lang: &str) -> Option<BTreeMap<String, Style>> {
        let primary = lang.split(['-', '_']).next().unwrap_or("");
        let mut matching: Vec<&String> = self
            .lang_styles
            .keys()
            .filter(|tag| tag.eq_ignore_ascii_case(lang) || tag.eq_ignore_ascii_case(primary))
            .collect();
        if matching.is_empty() {
            return None;
        }
        matching.sort_by_key(|tag| tag.eq_ignore_ascii_case(lang));
        let mut styles = self.styles.clone();
        for tag in matching {
            for (name, style) in &self.lang_styles[tag] {
                styles.insert(name.clone(), style.clone());
            }
        }
        Some(styles)
    }

    /// Loads every `*.toml` in `dir`, sorted by name; `<built-in>/layouts` is the set
    /// compiled into the binary.
    pub fn load_dir(dir: &Path, fonts: &FontBook) -> Result<Vec<Layout>, Vec<Diagnostic>> {
        Layout::load_dir_named(dir, fonts, &[])
    }

    /// [`Layout::load_dir`], but when `names` (layout names, any case) is not empty and
    /// every one is a file in the folder, only those files are read and checked: a run that
    /// builds one layout does not parse the others (a tenth of a one-flyer run). A name
    /// that is not there loads them all, so the selection's error can list them.
    pub fn load_dir_named(
        dir: &Path,
        fonts: &FontBook,
        names: &[String],
    ) -> Result<Vec<Layout>, Vec<Diagnostic>> {
        let builtin = crate::assets::builtin_path("layouts");
        let mut paths: Vec<_> = if dir == builtin {
            crate::assets::LAYOUTS
                .iter()
                .map(|(p, _)| crate::assets::builtin_path(p))
                .collect()
        } else {
            std::fs::read_dir(dir)
                .map_err(|e| {
                    vec![
                        Diagnostic::error(format!(
                            "cannot read layout folder `{}`: {e}",
                            dir.display()
                        ))
                        .hint("check `layouts` in broadside.toml or --layouts"),
                    ]
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        };
        paths.sort();
        let stem = |p: &Path| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("layout")
                .to_string()
        };
        let named = |p: &Path| names.iter().any(|n| n.eq_ignore_ascii_case(&stem(p)));
        if !names.is_empty()
            && names
                .iter()
                .all(|n| paths.iter().any(|p| stem(p).eq_ignore_ascii_case(n)))
        {
            paths.retain(|p| named(p));
        }
        let mut layouts = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            match Layout::load(&path, fonts) {
                Ok(layout) => layouts.push(layout),
                Err(mut errs) => problems.append(&mut errs),
            }
        }
        if problems.is_empty() {
            Ok(layouts)
        } else {
            Err(problems)
        }
    }

    /// Reads one layout file, checking every value and name in it.
    pub fn load(path: &Path, fonts: &FontBook) -> Result<Layout, Vec<Diagnostic>> {
        file::load(path, fonts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::text::tests::fonts;

    fn load_with(extra: &str) -> Result<Layout, Vec<Diagnostic>> {
        let base = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/flyer-letter.toml"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flyer-letter.toml");
        std::fs::write(&path, format!("{base}\n{extra}")).unwrap();
        Layout::load(&path, fonts())
    }

    #[test]
    fn a_language_overrides_any_style_field() {
        // A style the shipped layout does not override per language.
        let layout = load_with(
            "[styles.agency-department.lang.zh]\nalign = \"justify\"\nleading = 1.6\n\n\
             [styles.agency-department.lang.zh-Hant]\nleading = 1.7\n",
        )
        .unwrap();
        assert!(layout.styles_for_language("en").is_none());
        let zh = layout.styles_for_language("zh-Hans").unwrap();
        let hant = layout.styles_for_language("zh-Hant").unwrap();
        let base = &layout.styles["agency-department"];
        // The primary language applies to every tag; the exact tag wins over it.
        assert_eq!(
            (
                zh["agency-department"].align,
                zh["agency-department"].leading
            ),
            (Align::Justify, 1.6)
        );
        assert_eq!(
            (
                hant["agency-department"].align,
                hant["agency-department"].leading
            ),
            (Align::Justify, 1.7)
        );
        // Everything not overridden is the style's.
        assert_eq!(hant["agency-department"].size, base.size);
        assert_eq!(hant["agency-department"].name, "agency-department");
        assert_eq!(hant["kicker"].leading, layout.styles["kicker"].leading);
        // The shipped layout grows CJK body text to fill its column.
        assert!(hant["body"].fill && !base.fill);
        assert!(layout.styles_for_language("ko").unwrap()["body"].fill);
    }

    #[test]
    fn a_bad_override_is_located() {
        let errors = load_with("[styles.definition.lang.vi]\ncolour = \"navy\"\n").unwrap_err();
        let text = errors[0].to_string();
        assert!(text.contains("colour"), "{text}");
        let errors = load_with("[styles.definition.lang.vi]\ncolor = \"nvy\"\n").unwrap_err();
        let d = &errors[0];
        assert_eq!(d.field.as_deref(), Some("styles.definition.lang.vi.color"));
        assert!(d.location.is_some());
        assert!(d.hint.as_deref().unwrap_or("").contains("navy"), "{d}");
    }

    #[test]
    fn a_stand_in_stands_for_an_image_or_a_content_and_names_content() {
        let frame = |extra: &str| {
            format!(
                "[[frames]]\nid = \"extra-mark\"\narea = {{ col = 1, row = 1, cols = 4, rows = 4 }}\nstyle = \"headline\"\n{extra}\n"
            )
        };
        // Nothing to stand in for: no image and no content, or the content itself.
        for extra in [
            "stand_in = \"edition\"",
            "content = \"kicker\"\nstand_in = \"kicker\"",
        ] {
            let errors = load_with(&frame(extra)).unwrap_err();
            assert!(
                errors[0]
                    .to_string()
                    .contains("no image or content of its own"),
                "{extra}: {}",
                errors[0]
            );
        }
        // A text frame may stand in for its own empty content (a county's blank extra).
        let layout = load_with(&frame("content = \"extra.local\"\nstand_in = \"action\"")).unwrap();
        let card = layout.frames.iter().find(|f| f.id == "extra-mark").unwrap();
        assert_eq!(card.stand_in, Some(BlockKey::Action));
        let errors = load_with(&frame("stand_in = \"edition\"")).unwrap_err();
        let d = &errors[0];
        // The frame added after the shipped flyer's own, numbered from 0.
        let shipped = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/flyer-letter.toml"
        ))
        .unwrap()
        .matches("[[frames]]")
        .count();
        let field = format!("frames[{shipped}].stand_in");
        assert_eq!(d.field.as_deref(), Some(field.as_str()));
        let errors = load_with(&frame("image = \"logo\"\nstand_in = \"editon\"")).unwrap_err();
        let d = &errors[0];
        assert!(d.hint.as_deref().unwrap_or("").contains("edition"), "{d}");
        let layout = load_with(&frame("image = \"logo\"\nstand_in = \"edition\"")).unwrap();
        let logo = layout.frames.iter().find(|f| f.id == "extra-mark").unwrap();
        assert_eq!(logo.stand_in, Some(BlockKey::Edition));
    }

    #[test]
    fn a_fit_policy_with_a_bound_at_zero_or_a_max_under_its_min_is_refused() {
        for fit in [
            "{ min = \"0pt\" }",
            "{ min = \"9pt\", max = \"0pt\" }",
            "{ min = \"9pt\", max = \"8pt\" }",
        ] {
            let errors = load_with(&format!("[styles.body.lang.vi]\nfit = {fit}\n")).unwrap_err();
            let d = &errors[0];
            assert!(
                d.to_string().contains("must be larger than zero"),
                "{fit}: {d}"
            );
            assert_eq!(d.field.as_deref(), Some("styles.body.lang.vi.fit"), "{fit}");
        }
    }

    #[test]
    fn side_heads_name_a_styled_role_a_column_that_leaves_room_and_flip_for_rtl() {
        // A frame 4 columns of the flyer's grid wide (~80 pt).
        let frame = |side: &str, extra: &str| {
            format!(
                "[[frames]]\nid = \"figures\"\narea = {{ col = 1, row = 1, cols = 4, rows = 4 }}\ncontent = \"stats\"\nstyles = {{ value = \"stat-value\", caption = \"stat-caption\" }}\nside_head = {side}\n{extra}\n"
            )
        };
        let layout = load_with(&frame("{ role = \"value\", width = \"0.5in\" }", "")).unwrap();
        let figures = layout.frames.iter().find(|f| f.id == "figures").unwrap();
        let side = figures.side_head.as_ref().unwrap();
        assert_eq!(
            (side.role.as_str(), side.width, side.gap),
            ("value", Pt(36.0), Pt(8.0))
        );
        assert!(!side.at_right);
        // A right-to-left edition reads the figure first, at the right.
        let mirrored = layout.mirrored();
        let figures = mirrored.frames.iter().find(|f| f.id == "figures").unwrap();
        assert!(figures.side_head.as_ref().unwrap().at_right);
        // A role the frame has no style for.
        let errors = load_with(&frame("{ role = \"valeu\", width = \"0.5in\" }", "")).unwrap_err();
        let d = &errors[0];
        assert!(
            d.field.as_deref().unwrap_or("").ends_with("side_head.role"),
            "{d}"
        );
        assert!(d.hint.as_deref().unwrap_or("").contains("value"), "{d}");
        // A column as wide as the frame leaves nothing beside it.
        let errors = load_with(&frame("{ role = \"value\", width = \"2in\" }", "")).unwrap_err();
        assert!(
            errors[0].to_string().contains("leaves no room beside it"),
            "{}",
            errors[0]
        );
        // Side heads are set in one frame.
        let errors = load_with(&frame(
            "{ role = \"value\", width = \"0.5in\" }",
            "continue_to = \"headline\"",
        ))
        .unwrap_err();
        assert!(
            errors[0].to_string().contains("threads into another frame"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_frame_follows_only_a_frame_above_it_set_before_it() {
        let frame = |id: &str, row: u32, follows: &str| {
            format!(
                "[[frames]]\nid = \"{id}\"\narea = {{ col = 1, row = {row}, cols = 4, rows = 2 }}\nfollows = \"{follows}\"\n"
            )
        };
        // The sections follow the definition in the shipped layout.
        let layout = load_with("").unwrap();
        let index = |id: &str| layout.frames.iter().position(|f| f.id == id).unwrap();
        assert_eq!(
            layout.frames[index("sections")].follows,
            Some(index("definition"))
        );
        // A frame below it, or one listed later, is not one to follow.
        for (extra, what) in [
            (frame("below-band", 2, "footer-band"), "a frame below"),
            (
                format!(
                    "{}{}",
                    frame("first", 40, "second"),
                    frame("second", 30, "kicker")
                ),
                "a frame listed later",
            ),
        ] {
            let errors = load_with(&extra).unwrap_err();
            let d = &errors[0];
            assert!(
                d.to_string().contains("which is not a frame above it"),
                "{what}: {d}"
            );
            assert!(
                d.field.as_deref().unwrap_or("").ends_with("follows"),
                "{what}: {d}"
            );
        }
        // An unknown name is reported with the names there are.
        let errors = load_with(&frame("lost", 40, "defintion")).unwrap_err();
        assert!(
            errors[0]
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("definition"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_logo_frame_collapses_into_its_place_or_stands_on_the_lock_ups_capitals() {
        let frames = |moves: &str| {
            format!(
                "[[frames]]\nid = \"mark\"\narea = {{ col = 1, row = 40, cols = 4, rows = 2 }}\nimage = \"logo\"\ncollapse_into = \"lock\"\n{moves}\n\
                 [[frames]]\nid = \"lock\"\narea = {{ col = 5, row = 40, cols = 8, rows = 2 }}\ncontent = \"agency\"\nstyle = \"body\"\n"
            )
        };
        let rect_of =
            |layout: &Layout, id: &str| layout.frames.iter().find(|f| f.id == id).unwrap().rect;
        let gone = |f: &Frame| f.id == "mark";
        // Without `collapse_moves` the sign-off widens over both …
        let layout = load_with(&frames("")).unwrap();
        let (mark, lock) = (rect_of(&layout, "mark"), rect_of(&layout, "lock"));
        let wide = rect_of(&layout.collapsed(gone).unwrap(), "lock");
        assert!(
            (wide.x.0 - mark.x.0).abs() < 0.01 && (wide.right().0 - lock.right().0).abs() < 0.01
        );
        // … with it, it keeps its width and stands where the mark stood,
        let layout = load_with(&frames("collapse_moves = true")).unwrap();
        let moved = rect_of(&layout.collapsed(gone).unwrap(), "lock");
        assert!((moved.x.0 - mark.x.0).abs() < 0.01, "{moved:?}");
        assert!((moved.w.0 - lock.w.0).abs() < 0.01 && (moved.y.0 - lock.y.0).abs() < 0.01);
        // … on the right in a right-to-left edition, where the mark stands at the right.
        let mirrored = layout.mirrored();
        let mark = rect_of(&mirrored, "mark");
        let moved = rect_of(&mirrored.collapsed(gone).unwrap(), "lock");
        assert!(
            (moved.right().0 - mark.right().0).abs() < 0.01,
            "{moved:?} {mark:?}"
        );
        assert!((moved.w.0 - lock.w.0).abs() < 0.01);
        // Side by side, a taller mark moves the lock-up across, not down.
        let tall = load_with(&frames("collapse_moves = true").replacen("rows = 2", "rows = 6", 1))
            .unwrap();
        let lock = rect_of(&tall, "lock");
        let moved = rect_of(&tall.collapsed(gone).unwrap(), "lock");
        assert!(
            (moved.y.0 - lock.y.0).abs() < 0.01 && (moved.x.0 - mark.x.0).abs() > 1.0,
            "{moved:?}"
        );
        // A tile may stand on the first capitals of a lock-up set before it; a text frame
        // may not use it, nor name a frame set after it or one without text.
        let tile = |after: &str| {
            format!(
                "[[frames]]\nid = \"seal\"\narea = {{ col = 1, row = 44, cols = 2, rows = 2 }}\nimage = \"logo\"\ntop_level_with = \"{after}\"\n"
            )
        };
        let layout = load_with(&format!("{}{}", frames(""), tile("lock"))).unwrap();
        let index = |id: &str| layout.frames.iter().position(|f| f.id == id).unwrap();
        assert_eq!(
            layout.frames[index("seal")].top_level_with,
            Some(index("lock"))
        );
        for extra in [
            format!("{}{}", tile("lock"), frames("")),
            format!("{}{}", frames(""), tile("mark")),
            "[[frames]]\nid = \"words\"\narea = { col = 1, row = 40, cols = 4, rows = 2 }\ncontent = \"agency\"\nstyle = \"body\"\ntop_level_with = \"headline\"\n".to_string(),
        ] {
            let errors = load_with(&extra).unwrap_err();
            assert!(
                errors
                    .iter()
                    .any(|d| d.field.as_deref().unwrap_or("").ends_with("top_level_with")),
                "{errors:?}"
            );
        }
        // `collapse_moves` alone names nothing to move.
        let errors = load_with(
            "[[frames]]\nid = \"mark\"\narea = { col = 1, row = 40, cols = 4, rows = 2 }\nimage = \"logo\"\ncollapse_moves = true\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .field
                .as_deref()
                .unwrap_or("")
                .ends_with("collapse_moves"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_frame_ends_level_only_with_a_frame_set_before_it_on_its_page() {
        let frame = |id: &str, page: u32, level: &str| {
            format!(
                "[[frames]]\nid = \"{id}\"\npage = {page}\narea = {{ col = 1, row = 40, cols = 4, rows = 2 }}\nend_level_with = \"{level}\"\n"
            )
        };
        let layout = load_with(&frame("sign-off", 1, "sections")).unwrap();
        let index = |id: &str| layout.frames.iter().position(|f| f.id == id).unwrap();
        assert_eq!(
            layout.frames[index("sign-off")].end_level_with,
            Some(index("sections"))
        );
        for (extra, what) in [
            (
                format!(
                    "{}{}",
                    frame("first", 1, "second"),
                    frame("second", 1, "kicker")
                ),
                "a frame listed later",
            ),
            (frame("elsewhere", 2, "sections"), "a frame on another page"),
        ] {
            let errors = load_with(&extra).unwrap_err();
            let d = errors
                .iter()
                .find(|d| d.to_string().contains("ends level with"))
                .unwrap_or_else(|| panic!("{what}: {errors:?}"));
            assert!(
                d.field.as_deref().unwrap_or("").ends_with("end_level_with"),
                "{what}: {d}"
            );
        }
    }
}
