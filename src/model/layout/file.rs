//! Reading a layout file: the TOML as written (with each number's range checked where
//! serde reads it) and the resolver that checks every name (colour, style, font, frame)
//! and turns the file into a [`Layout`].

use super::*;
use crate::diag::{Location, SourceFile, closest, one_of};
use crate::fonts::weight_from_name;
use crate::units::{Insets, parse_page_size};
use serde::Deserialize;
use toml::Spanned;

/// Reads and resolves one layout file.
pub(super) fn load(path: &Path, fonts: &FontBook) -> Result<Layout, Vec<Diagnostic>> {
    let file = SourceFile::read(path).map_err(|e| vec![e])?;
    let spec: LayoutFile = crate::model::parse_toml(&file).map_err(|e| vec![e])?;
    Resolver {
        file: &file,
        fonts,
        problems: Vec::new(),
    }
    .resolve(spec, path)
}

/// A number within `range`, finite: serde's error carries the value's place in the file.
fn ranged<E: serde::de::Error>(value: f64, (low, high): (f64, f64), what: &str) -> Result<f32, E> {
    if !value.is_finite() || value < low || value > high {
        return Err(E::custom(format!(
            "{what} must be a finite number from {low} to {high}, got {value}"
        )));
    }
    Ok(value as f32)
}

fn leading_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    ranged(f64::deserialize(d)?, limits::LEADING, "leading")
}

fn tracking_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    ranged(f64::deserialize(d)?, limits::TRACKING, "tracking")
}

fn some_leading<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f32>, D::Error> {
    leading_value(d).map(Some)
}

fn some_tracking<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f32>, D::Error> {
    tracking_value(d).map(Some)
}

fn page_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = u64::deserialize(d)?;
    if n == 0 || n > limits::MAX_PAGES as u64 {
        return Err(serde::de::Error::custom(format!(
            "pages must be 1 to {}, got {n}",
            limits::MAX_PAGES
        )));
    }
    Ok(n as usize)
}

fn grid_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u64::deserialize(d)?;
    if n > u64::from(limits::MAX_GRID) {
        return Err(serde::de::Error::custom(format!(
            "a grid has at most {} columns and rows, got {n}",
            limits::MAX_GRID
        )));
    }
    Ok(n as u32)
}

fn line_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = u64::deserialize(d)?;
    if n > limits::MAX_LINES as u64 {
        return Err(serde::de::Error::custom(format!(
            "lines must be at most {}, got {n}",
            limits::MAX_LINES
        )));
    }
    Ok(Some(n as usize))
}

fn stroke_width<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Pt, D::Error> {
    let width = Pt::deserialize(d)?;
    if width > limits::MAX_STROKE {
        return Err(serde::de::Error::custom(format!(
            "a stroke is at most 1in (72pt) wide, got {width}"
        )));
    }
    Ok(width)
}

fn bleed_width<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Pt, D::Error> {
    let width = Pt::deserialize(d)?;
    if width > limits::MAX_BLEED {
        return Err(serde::de::Error::custom(format!(
            "bleed is at most 1in (72pt), got {width}"
        )));
    }
    Ok(width)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    kind: String,
    #[serde(default)]
    description: String,
    page: PageSpec,
    colors: BTreeMap<String, ColorSpec>,
    styles: BTreeMap<String, Spanned<StyleSpec>>,
    frames: Vec<Spanned<FrameSpec>>,
    #[serde(default)]
    print: PrintSpec,
}

/// `[print]`: what the print preflight holds this layout to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrintSpec {
    /// How far inside the trim text must stay, and frames that do not bleed.
    #[serde(default = "default_safe")]
    safe: Pt,
    /// The smallest type readable at the layout's viewing distance.
    #[serde(default = "default_min_text_size")]
    min_text_size: Pt,
    /// Frames of fine print (source notes), held to `min_fine_print_size` instead.
    #[serde(default)]
    fine_print: Vec<Spanned<String>>,
    #[serde(default)]
    min_fine_print_size: Option<Pt>,
    /// The CMYK output profile for the PDF/X output intent, relative to the layout file.
    #[serde(default)]
    icc: Option<Spanned<String>>,
}

impl Default for PrintSpec {
    fn default() -> Self {
        PrintSpec {
            safe: default_safe(),
            min_text_size: default_min_text_size(),
            fine_print: Vec::new(),
            min_fine_print_size: None,
            icc: None,
        }
    }
}

/// 0.125 in: the safe zone most print shops ask for.
fn default_safe() -> Pt {
    Pt(9.0)
}

/// 6 pt: the usual floor for printed fine print read in the hand.
fn default_min_text_size() -> Pt {
    Pt(6.0)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageSpec {
    size: Spanned<String>,
    margin: Pt,
    #[serde(default = "default_bleed", deserialize_with = "bleed_width")]
    bleed: Pt,
    grid: GridSpec,
    #[serde(default = "one", deserialize_with = "page_count")]
    pages: usize,
    /// Mirror the page left to right for right-to-left languages (default true).
    #[serde(default = "yes")]
    mirror_rtl: bool,
}

fn yes() -> bool {
    true
}

fn default_bleed() -> Pt {
    Pt(9.0)
}
fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridSpec {
    #[serde(deserialize_with = "grid_count")]
    columns: u32,
    #[serde(deserialize_with = "grid_count")]
    rows: u32,
    #[serde(default)]
    column_gap: Pt,
    #[serde(default)]
    row_gap: Pt,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColorSpec {
    rgb: Spanned<String>,
    #[serde(default)]
    cmyk: Option<[u8; 4]>,
    /// A spot ink name, painted as a Separation in print with `cmyk` as its alternate.
    #[serde(default)]
    spot: Option<Spanned<String>>,
    /// The layout's text black: text and rules in it print in 100 K and overprint.
    #[serde(default)]
    black: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    font: Spanned<String>,
    #[serde(default)]
    weight: Option<Spanned<String>>,
    #[serde(default)]
    italic: bool,
    size: Pt,
    /// Line height as a multiple of the size.
    #[serde(default = "default_leading", deserialize_with = "leading_value")]
    leading: f32,
    /// Extra space between letters, in thousandths of an em.
    #[serde(default, deserialize_with = "tracking_value")]
    tracking: f32,
    color: Spanned<String>,
    #[serde(default)]
    link_color: Option<Spanned<String>>,
    #[serde(default)]
    transform: TextTransform,
    #[serde(default)]
    align: Align,
    #[serde(default)]
    space_before: Pt,
    #[serde(default)]
    space_after: Pt,
    /// Break words at hyphenation points of the edition's language (body text only:
    /// never headlines, numbers, phone numbers or addresses).
    #[serde(default)]
    hyphenate: bool,
    /// Even out line lengths (for headlines) instead of filling lines first.
    #[serde(default)]
    balance: bool,
    /// Ems of indent on the first line of a paragraph that follows another of the same
    /// role (never after a heading, nor at a frame's top): paragraphs told apart without
    /// space between them, so a baseline grid stays whole (Chinese indents two).
    #[serde(default)]
    indent: u8,
    /// Set in this many lines where the words allow, narrowing the measure (a three-line
    /// agency lock-up); balanced when `balance` is on.
    #[serde(default, deserialize_with = "line_count")]
    lines: Option<usize>,
    /// The least distance between the ink of one line and the next in a frame; a line whose
    /// glyphs (stacked accents, descenders) would come closer moves down. Default 6% of
    /// the size.
    #[serde(default)]
    ink_gap: Option<Pt>,
    /// Keep the leading exact even where ink would touch (for a strict rhythm); `check`
    /// then reports every overlap.
    #[serde(default)]
    keep_leading: bool,
    /// What may be done when the text does not fit: `{ min = "24pt", tracking_min = -20,
    /// remedies = ["shrink", "tighten"] }`; `max` bounds a frame's `text_fit = "fill"`.
    #[serde(default)]
    fit: Option<FitSpec>,
    /// Grow the text of frames set in this style to fill them, within `fit.max`, as a
    /// frame's `text_fit = "fill"` does (for languages that set shorter, such as CJK).
    #[serde(default)]
    fill: bool,
    /// Per-language overrides of any of the fields above, by BCP 47 tag or primary
    /// language: `[styles.body.lang.zh-Hant] align = "justify"`.
    #[serde(default)]
    lang: BTreeMap<String, Spanned<StyleOverride>>,
}

/// The fields one language changes in a style; the rest come from the style.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleOverride {
    font: Option<Spanned<String>>,
    weight: Option<Spanned<String>>,
    italic: Option<bool>,
    size: Option<Pt>,
    #[serde(default, deserialize_with = "some_leading")]
    leading: Option<f32>,
    #[serde(default, deserialize_with = "some_tracking")]
    tracking: Option<f32>,
    color: Option<Spanned<String>>,
    link_color: Option<Spanned<String>>,
    transform: Option<TextTransform>,
    align: Option<Align>,
    space_before: Option<Pt>,
    space_after: Option<Pt>,
    hyphenate: Option<bool>,
    balance: Option<bool>,
    indent: Option<u8>,
    #[serde(default, deserialize_with = "line_count")]
    lines: Option<usize>,
    ink_gap: Option<Pt>,
    keep_leading: Option<bool>,
    fit: Option<FitSpec>,
    fill: Option<bool>,
}

impl StyleSpec {
    /// This style with a language's overrides applied.
    fn overridden(&self, o: &StyleOverride) -> StyleSpec {
        let mut s = self.clone();
        s.lang.clear();
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = &o.$field { s.$field = v.clone(); } )* };
        }
        take!(
            font, italic, size, leading, tracking, color, transform, align
        );
        take!(
            space_before,
            space_after,
            hyphenate,
            balance,
            indent,
            fill,
            keep_leading
        );
        if o.lines.is_some() {
            s.lines = o.lines;
        }
        if o.ink_gap.is_some() {
            s.ink_gap = o.ink_gap;
        }
        if o.weight.is_some() {
            s.weight = o.weight.clone();
        }
        if o.link_color.is_some() {
            s.link_color = o.link_color.clone();
        }
        if o.fit.is_some() {
            s.fit = o.fit.clone();
        }
        s
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FitSpec {
    min: Pt,
    #[serde(default)]
    max: Option<Pt>,
    #[serde(default, deserialize_with = "some_tracking")]
    tracking_min: Option<f32>,
    #[serde(default = "default_remedies")]
    remedies: Vec<Remedy>,
}

fn default_remedies() -> Vec<Remedy> {
    vec![Remedy::Shrink]
}

fn default_leading() -> f32 {
    1.25
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameSpec {
    #[serde(default)]
    id: Option<String>,
    #[serde(default = "one")]
    page: usize,
    area: AreaSpec,
    #[serde(default)]
    content: Option<Spanned<String>>,
    #[serde(default)]
    image: Option<Spanned<String>>,
    #[serde(default)]
    fit: ImageFit,
    #[serde(default)]
    style: Option<Spanned<String>>,
    /// Per-role style overrides, e.g. `{ value = "stat-value", caption = "stat-caption" }`.
    #[serde(default)]
    styles: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    fill: Option<Spanned<String>>,
    #[serde(default)]
    border: Option<BorderSpec>,
    #[serde(default)]
    radius: Pt,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    #[serde(default)]
    inset: Insets,
    /// Space kept clear around the frame inside its grid area: its fill, rules and
    /// content all stay inside (a logo tile clear of the band above it).
    #[serde(default)]
    margin: Insets,
    /// How far the frame reaches past its grid area into the page margin, side by side:
    /// a band whose content centres in the band as printed, margin included.
    #[serde(default)]
    outset: Insets,
    #[serde(default)]
    valign: VAlign,
    #[serde(default)]
    bleed: Vec<Side>,
    #[serde(default)]
    continue_to: Option<Spanned<String>>,
    #[serde(default)]
    sources: SourcesMode,
    /// `"fill"`: grow the type to fill the frame (big numbers, poster headlines).
    #[serde(default)]
    text_fit: Option<TextFit>,
    /// Shown for design only (e.g. a block repeated on another page): tagged as an
    /// artifact, so a screen reader reads the content once.
    #[serde(default)]
    decorative: bool,
    /// When this frame has nothing to show (an `extra.*` a county leaves blank, an empty
    /// block, an absent logo), the frame named here takes its area, so no dead band is left.
    #[serde(default)]
    collapse_into: Option<Spanned<String>>,
    /// With `collapse_into`: the frame named there keeps its size and moves into this
    /// one's place, rather than widening over both (a sign-off that must keep its measure
    /// where a county's logo would stand beside it).
    #[serde(default)]
    collapse_moves: bool,
    /// A frame above this one (earlier in the list, on the same page) whose text this one
    /// follows: this frame's top moves up to where that frame's text ends, so the frame
    /// above keeps only what its text needs in this edition and this one takes the rest
    /// (a definition a third longer in Tagalog, two lines shorter in Chinese).
    #[serde(default)]
    follows: Option<Spanned<String>>,
    /// A frame earlier in the list, on the same page, whose last line this frame's last
    /// line stands level with (baselines), wherever that text ends in the edition: a
    /// sign-off at the foot of one column level with the text ending the other.
    #[serde(default)]
    end_level_with: Option<Spanned<String>>,
    /// On an image frame: a frame earlier in the list, on the same page, whose first
    /// line's capitals the tile's top stands level with, wherever that text starts (a
    /// county's logo beside a lock-up that moves with the text).
    #[serde(default)]
    top_level_with: Option<Spanned<String>>,
    /// How far below the top of the frame's text area its first baseline sits, whatever
    /// the face and size (a fixed first-baseline offset): frames side by side whose text
    /// starts in different faces or languages still start level.
    #[serde(default)]
    first_baseline: Option<Pt>,
    /// Text an image frame shows when the edition has no image of its own (the county's
    /// name where its logo would be), set in the frame's `style`.
    #[serde(default)]
    stand_in: Option<Spanned<String>>,
    /// In a threaded chain: this frame and the ones it threads into are balanced when the
    /// text ends in them, each as short as the text allows, so the last page's columns
    /// end level instead of one full and the next empty.
    #[serde(default)]
    balance: bool,
    /// The role (e.g. `"body"`) whose line height is the baseline grid of this frame and
    /// the frames it threads into: every line's baseline sits on the grid, so threaded
    /// columns share their baselines.
    #[serde(default)]
    baseline_grid: Option<Spanned<String>>,
    /// Frames that name the same group (figures side by side) are set at one size: each
    /// is fitted, and all take the smallest of their fitted sizes.
    #[serde(default)]
    fit_group: Option<String>,
    /// Paragraphs of one role (a statistic's figure) in a narrow column beside the
    /// paragraphs after them (its sentence).
    #[serde(default)]
    side_head: Option<SideHeadSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SideHeadSpec {
    role: Spanned<String>,
    width: Pt,
    #[serde(default = "default_side_gap")]
    gap: Pt,
}

fn default_side_gap() -> Pt {
    Pt(8.0)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaSpec {
    col: u32,
    row: u32,
    cols: u32,
    rows: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BorderSpec {
    color: Spanned<String>,
    #[serde(deserialize_with = "stroke_width")]
    width: Pt,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    side: Side,
    color: Spanned<String>,
    #[serde(deserialize_with = "stroke_width")]
    width: Pt,
}

struct Resolver<'a> {
    file: &'a SourceFile,
    fonts: &'a FontBook,
    problems: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> Location {
        self.file.span_location(&span)
    }

    fn unknown(&mut self, what: &str, name: &Spanned<String>, field: String, known: Vec<&str>) {
        let mut d = Diagnostic::error(format!("unknown {what} `{}`", name.get_ref()))
            .at(self.at(name.span()))
            .field(field);
        d = match closest(name.get_ref(), known.iter().copied()) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None => d.hint(format!("defined: {}", one_of(known))),
        };
        self.problems.push(d);
    }

    fn color(
        &mut self,
        colors: &BTreeMap<String, Color>,
        name: &Spanned<String>,
        field: String,
    ) -> Option<Color> {
        match colors.get(name.get_ref()) {
            Some(c) => Some(c.clone()),
            None => {
                self.unknown(
                    "colour",
                    name,
                    field,
                    colors.keys().map(String::as_str).collect(),
                );
                None
            }
        }
    }

    fn resolve(mut self, spec: LayoutFile, path: &Path) -> Result<Layout, Vec<Diagnostic>> {
        let (width, height) = match parse_page_size(spec.page.size.get_ref()) {
            Ok(size) => size,
            Err(msg) => {
                self.problems.push(
                    Diagnostic::error(msg)
                        .at(self.at(spec.page.size.span()))
                        .field("page.size"),
                );
                (Pt(612.0), Pt(792.0))
            }
        };

        let mut colors = BTreeMap::new();
        for (name, c) in &spec.colors {
            match parse_hex(c.rgb.get_ref()) {
                Some(rgb) => {
                    if let Some(cmyk) = c.cmyk.filter(|v| v.iter().any(|&p| p > 100)) {
                        self.problems.push(
                            Diagnostic::error(format!("CMYK values are percentages, got {cmyk:?}"))
                                .at(self.at(c.rgb.span()))
                                .field(format!("colors.{name}.cmyk")),
                        );
                    }
                    let spot = c
                        .spot
                        .as_ref()
                        .and_then(|spot| self.spot(name, spot, c.cmyk));
                    colors.insert(
                        name.clone(),
                        Color {
                            name: name.clone(),
                            rgb,
                            cmyk: c.cmyk,
                            spot,
                        },
                    );
                }
                None => self.problems.push(
                    Diagnostic::error(format!("`{}` is not an RGB colour", c.rgb.get_ref()))
                        .at(self.at(c.rgb.span()))
                        .field(format!("colors.{name}.rgb"))
                        .hint("write six hex digits, e.g. \"#1f2a5c\""),
                ),
            }
        }

        self.one_alternate_per_spot(&spec.colors);
        let black = self.black_colors(&spec.colors);
        let icc = spec.print.icc.as_ref().and_then(|icc| self.icc(icc, path));

        let mut styles = BTreeMap::new();
        let mut lang_styles: BTreeMap<String, BTreeMap<String, Style>> = BTreeMap::new();
        for (name, s) in &spec.styles {
            let span = s.span();
            let s = s.get_ref();
            let before = self.problems.len();
            if let Some(style) = self.style(name, s, span.clone(), &colors) {
                styles.insert(name.clone(), style);
            }
            if self.problems.len() > before {
                continue; // the style's own problems would repeat for every language
            }
            for (lang, o) in &s.lang {
                if !crate::model::is_language_tag(lang) {
                    self.problems.push(
                        Diagnostic::error(format!("`{lang}` is not a language tag"))
                            .at(self.at(o.span()))
                            .field(format!("styles.{name}.lang"))
                            .hint("use a BCP 47 tag such as `zh-Hant`, `vi` or `ar`"),
                    );
                    continue;
                }
                // `zh-Hant` builds on `zh` where both are given.
                let primary = lang.split('-').next().unwrap_or("");
                let base = match s.lang.get(primary).filter(|_| primary != lang) {
                    Some(p) => s.overridden(p.get_ref()),
                    None => s.clone(),
                };
                let merged = base.overridden(o.get_ref());
                let field = format!("{name}.lang.{lang}");
                if let Some(mut style) = self.style(&field, &merged, o.span(), &colors) {
                    style.name = name.clone();
                    lang_styles
                        .entry(lang.clone())
                        .or_default()
                        .insert(name.clone(), style);
                }
            }
        }

        let grid = &spec.page.grid;
        let margin = spec.page.margin;
        if grid.columns == 0 || grid.rows == 0 {
            self.problems.push(
                Diagnostic::error("the grid needs at least one column and one row")
                    .in_file(path)
                    .field("page.grid"),
            );
        }
        let columns = grid.columns.max(1) as f32;
        let rows = grid.rows.max(1) as f32;
        let col_w = (width - 2.0 * margin - (columns - 1.0) * grid.column_gap) / columns;
        let row_h = (height - 2.0 * margin - (rows - 1.0) * grid.row_gap) / rows;
        if col_w <= Pt::ZERO || row_h <= Pt::ZERO {
            self.problems.push(
                Diagnostic::error("margins and gaps leave no room for the grid")
                    .in_file(path)
                    .field("page.grid"),
            );
        }

        let ids: Vec<String> = spec
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                f.get_ref()
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("frame-{}", i + 1))
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            if let Some(first) = ids[..i].iter().position(|other| other == id) {
                self.problems.push(
                    Diagnostic::error(format!("frame id `{id}` is used twice"))
                        .at(self.at(spec.frames[i].span()))
                        .field(format!("frames[{i}].id"))
                        .hint(format!("frames[{first}] already has this id; ids must be unique so `continue_to` is unambiguous")),
                );
            }
        }
        let mut frames = Vec::new();
        for (i, framed) in spec.frames.iter().enumerate() {
            let location = self.at(framed.span());
            let f = framed.get_ref();
            let field = |name: &str| format!("frames[{i}].{name}");
            let a = &f.area;
            // In u64: a hostile `col = 4294967295` must not wrap around into the grid.
            let end = |start: u32, span: u32| u64::from(start) + u64::from(span) - 1;
            if a.col == 0
                || a.row == 0
                || a.cols == 0
                || a.rows == 0
                || end(a.col, a.cols) > u64::from(grid.columns)
                || end(a.row, a.rows) > u64::from(grid.rows)
            {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` area (col {}, row {}, {}×{}) is outside the {}×{} grid",
                        ids[i], a.col, a.row, a.cols, a.rows, grid.columns, grid.rows
                    ))
                    .at(location.clone())
                    .field(field("area"))
                    .hint("columns and rows count from 1"),
                );
            }
            if f.page == 0 || f.page > spec.page.pages {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` is on page {}, but the layout has {} page(s)",
                        ids[i], f.page, spec.page.pages
                    ))
                    .at(location.clone())
                    .field(field("page"))
                    .hint("raise page.pages or move the frame"),
                );
            }
            let cell = Rect {
                x: margin + (a.col.max(1) - 1) as f32 * (col_w + grid.column_gap),
                y: margin + (a.row.max(1) - 1) as f32 * (row_h + grid.row_gap),
                w: a.cols as f32 * col_w + (a.cols.max(1) - 1) as f32 * grid.column_gap,
                h: a.rows as f32 * row_h + (a.rows.max(1) - 1) as f32 * grid.row_gap,
            };
            let o = &f.outset;
            let grown = Rect {
                x: cell.x - o.left,
                y: cell.y - o.top,
                w: cell.w + o.left + o.right,
                h: cell.h + o.top + o.bottom,
            };
            // A hundredth of a point of rounding is allowed.
            let slack = Pt(0.01);
            if grown.x < -slack
                || grown.y < -slack
                || grown.right() > width + slack
                || grown.bottom() > height + slack
            {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` reaches past the trim with its `outset`",
                        ids[i]
                    ))
                    .at(location.clone())
                    .field(field("outset"))
                    .hint("an outset may reach into the page margin, at most to the trim; use `bleed` to run a fill off the page"),
                );
            }
            let rect = grown.inset(&f.margin);
            if let Some(content) = &f.content
                && BlockKey::parse(content.get_ref()).is_none()
            {
                self.unknown("content", content, field("content"), CONTENT_KEYS.to_vec());
            }
            if let Some(image) = &f.image
                && !IMAGE_KEYS.contains(&image.get_ref().as_str())
            {
                self.unknown("image", image, field("image"), IMAGE_KEYS.to_vec());
            }
            if let Some(stand_in) = &f.stand_in {
                if BlockKey::parse(stand_in.get_ref()).is_none() {
                    self.unknown(
                        "content",
                        stand_in,
                        field("stand_in"),
                        CONTENT_KEYS.to_vec(),
                    );
                }
                let stands_for_itself = f
                    .content
                    .as_ref()
                    .is_some_and(|c| c.get_ref() == stand_in.get_ref());
                if f.image.is_some() == f.content.is_some() || stands_for_itself {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frame `{}` has a `stand_in` but no image or content of its own to stand in for",
                            ids[i]
                        ))
                        .at(location.clone())
                        .field(field("stand_in"))
                        .hint("`stand_in` is what a frame shows when the edition has nothing for it: give the frame either `image = \"logo\"` or a `content` (such as `extra.local`) other than the stand-in"),
                    );
                }
            }
            let check_style = |s: &Spanned<String>, name: String, this: &mut Self| {
                if !styles.contains_key(s.get_ref()) && spec.styles.contains_key(s.get_ref()) {
                    return; // the style itself is broken and already reported
                }
                if !styles.contains_key(s.get_ref()) {
                    this.unknown(
                        "style",
                        s,
                        name,
                        spec.styles.keys().map(String::as_str).collect(),
                    );
                }
            };
            if let Some(s) = &f.style {
                check_style(s, field("style"), &mut self);
            }
            for (role, s) in &f.styles {
                check_style(s, field(&format!("styles.{role}")), &mut self);
            }
            if (f.content.is_some() || f.stand_in.is_some())
                && f.style.is_none()
                && f.styles.is_empty()
            {
                self.problems.push(
                    Diagnostic::error(format!("frame `{}` shows text but names no style", ids[i]))
                        .at(location.clone())
                        .field(field("style")),
                );
            }
            let fill = f
                .fill
                .as_ref()
                .and_then(|c| self.color(&colors, c, field("fill")));
            let border = f.border.as_ref().and_then(|b| {
                self.color(&colors, &b.color, field("border.color"))
                    .map(|c| (c, b.width))
            });
            let rules = f
                .rules
                .iter()
                .filter_map(|r| {
                    self.color(&colors, &r.color, field("rules.color"))
                        .map(|color| Rule {
                            side: r.side,
                            color,
                            width: r.width,
                        })
                })
                .collect();
            if f.collapse_moves && f.collapse_into.is_none() {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` says `collapse_moves` but names no frame in `collapse_into`",
                        ids[i]
                    ))
                    .at(location.clone())
                    .field(field("collapse_moves"))
                    .hint("add `collapse_into = \"<frame id>\"`, or remove `collapse_moves`"),
                );
            }
            // Another frame named by id (`continue_to`, `collapse_into`); unknown or self is
            // reported with the ids there are.
            let mut other_frame = |target: &Spanned<String>, name: &str| match ids
                .iter()
                .position(|id| id == target.get_ref())
            {
                Some(t) if t != i => Some(t),
                _ => {
                    self.unknown(
                        "frame",
                        target,
                        field(name),
                        ids.iter().map(String::as_str).collect(),
                    );
                    None
                }
            };
            let continue_to = f
                .continue_to
                .as_ref()
                .and_then(|t| other_frame(t, "continue_to"));
            let collapse_into = f
                .collapse_into
                .as_ref()
                .and_then(|t| other_frame(t, "collapse_into"));
            let follows = f
                .follows
                .as_ref()
                .and_then(|t| other_frame(t, "follows").map(|j| (j, t)));
            let end_level_with = f
                .end_level_with
                .as_ref()
                .and_then(|t| other_frame(t, "end_level_with").map(|j| (j, t)));
            let top_level_with = f
                .top_level_with
                .as_ref()
                .and_then(|t| other_frame(t, "top_level_with").map(|j| (j, t)));
            // Frames are set in list order, so the frame followed is set first: it comes
            // earlier, on the same page, and ends above this one's top.
            let follows = follows.filter(|&(j, target)| {
                let above = frames
                    .get(j)
                    .filter(|other: &&Frame| {
                        other.page + 1 == f.page.max(1) && other.rect.bottom().0 <= rect.y.0 + 0.5
                    })
                    .is_some();
                if !above {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frame `{}` follows `{}`, which is not a frame above it",
                            ids[i],
                            target.get_ref()
                        ))
                        .at(location.clone())
                        .field(field("follows"))
                        .hint("name a frame listed earlier, on the same page, whose area ends where this one's begins or above"),
                    );
                }
                above
            });
            let mut set_before = |level: Option<(usize, &Spanned<String>)>, name: &str| {
                level
                    .filter(|&(j, target)| {
                        let earlier = j < i
                            && frames
                                .get(j)
                                .is_some_and(|o: &Frame| o.page + 1 == f.page.max(1));
                        if !earlier {
                            let verb = if name == "end_level_with" { "ends" } else { "starts" };
                            self.problems.push(
                                Diagnostic::error(format!(
                                    "frame `{}` {verb} level with `{}`, which is not a frame listed before it on the same page",
                                    ids[i],
                                    target.get_ref()
                                ))
                                .at(location.clone())
                                .field(field(name))
                                .hint("name a frame listed earlier on the same page, whose text is set first"),
                            );
                        }
                        earlier
                    })
                    .map(|(j, _)| j)
            };
            let end_level_with = set_before(end_level_with, "end_level_with");
            let top_level_with = set_before(top_level_with, "top_level_with");
            if let Some(j) = top_level_with
                && frames
                    .get(j)
                    .is_some_and(|o: &Frame| o.content.is_none() && o.stand_in.is_none())
            {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` starts level with `{}`, which shows no text",
                        ids[i], ids[j]
                    ))
                    .at(location.clone())
                    .field(field("top_level_with"))
                    .hint("name a frame with `content`, whose first line the tile starts on"),
                );
            }
            if top_level_with.is_some() && f.image.is_none() {
                self.problems.push(
                    Diagnostic::error(format!(
                        "frame `{}` sets `top_level_with` but shows no image",
                        ids[i]
                    ))
                    .at(location.clone())
                    .field(field("top_level_with"))
                    .hint("`top_level_with` places an image frame's tile; a text frame can end level with another (`end_level_with`)"),
                );
            }
            // The grid's role must be one the frame has a style for.
            if let Some(role) = &f.baseline_grid
                && f.style.is_none()
                && !f.styles.contains_key(role.get_ref())
            {
                let known = f.styles.keys().map(String::as_str).collect();
                self.unknown("role", role, field("baseline_grid"), known);
            }
            // Side heads: a role the frame has a style for, a column narrower than the
            // frame, and one frame (the rows do not thread on into another).
            let side_head = f.side_head.as_ref().and_then(|side| {
                let role = &side.role;
                if f.style.is_none() && !f.styles.contains_key(role.get_ref()) {
                    let known = f.styles.keys().map(String::as_str).collect();
                    self.unknown("role", role, field("side_head.role"), known);
                    return None;
                }
                let measure = rect.w - f.inset.left - f.inset.right;
                if side.width.0 <= 0.0 || side.width + side.gap >= measure {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frame `{}`: its side heads' column ({:.1}pt and a {:.1}pt gap) leaves no room beside it in a measure of {:.1}pt",
                            ids[i], side.width.0, side.gap.0, measure.0
                        ))
                        .at(location.clone())
                        .field(field("side_head.width"))
                        .hint("give `side_head.width` a length narrower than the frame, such as \"0.75in\""),
                    );
                    return None;
                }
                if f.continue_to.is_some() {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frame `{}` has side heads and threads into another frame",
                            ids[i]
                        ))
                        .at(location.clone())
                        .field(field("side_head"))
                        .hint("side heads are set in one frame; remove `continue_to` or `side_head`"),
                    );
                    return None;
                }
                Some(SideHead {
                    role: role.get_ref().clone(),
                    width: side.width,
                    gap: side.gap,
                    at_right: false,
                })
            });
            frames.push(Frame {
                id: ids[i].clone(),
                index: i,
                page: f.page.max(1) - 1,
                rect,
                content: f
                    .content
                    .as_ref()
                    .and_then(|c| BlockKey::parse(c.get_ref())),
                image: f.image.as_ref().map(|c| c.get_ref().clone()),
                fit: f.fit,
                style: f.style.as_ref().map(|s| s.get_ref().clone()),
                role_styles: f
                    .styles
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
                fill,
                border,
                radius: f.radius,
                rules,
                inset: f.inset,
                valign: f.valign,
                bleed: f.bleed.clone(),
                continue_to,
                is_continuation: false,
                sources: f.sources,
                text_fit: f.text_fit,
                decorative: f.decorative,
                collapse_into,
                collapse_moves: f.collapse_moves,
                follows: follows.map(|(j, _)| j),
                end_level_with,
                top_level_with,
                first_baseline: f.first_baseline,
                stand_in: f
                    .stand_in
                    .as_ref()
                    .and_then(|c| BlockKey::parse(c.get_ref())),
                balance: f.balance,
                baseline_grid: f.baseline_grid.as_ref().map(|r| r.get_ref().clone()),
                fit_group: f.fit_group.clone(),
                side_head,
                location,
            });
        }
        for i in 0..frames.len() {
            if let Some(t) = frames[i].continue_to {
                if let Some(other) = (0..i).find(|&j| frames[j].continue_to == Some(t)) {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frames `{}` and `{}` both continue into `{}`",
                            frames[other].id, frames[i].id, frames[t].id
                        ))
                        .at(frames[i].location.clone())
                        .field(format!("frames[{i}].continue_to"))
                        .hint("a frame takes the overflow of one frame only; add another frame for the second chain"),
                    );
                }
                if frames[t].content.is_some() {
                    self.problems.push(
                        Diagnostic::error(format!(
                            "frame `{}` continues into `{}`, which has content of its own",
                            frames[i].id, frames[t].id
                        ))
                        .at(frames[i].location.clone())
                        .field(format!("frames[{i}].continue_to")),
                    );
                }
                frames[t].is_continuation = true;
            }
        }

        let print = &spec.print;
        let mut fine_print = Vec::new();
        for id in &print.fine_print {
            match frames.iter().position(|f| &f.id == id.get_ref()) {
                Some(i) => fine_print.push(i),
                None => self.unknown(
                    "frame",
                    id,
                    "print.fine_print".to_string(),
                    frames.iter().map(|f| f.id.as_str()).collect(),
                ),
            }
        }
        let print = PrintRules {
            safe: print.safe,
            min_text_size: print.min_text_size,
            fine_print,
            min_fine_print_size: print.min_fine_print_size.unwrap_or(print.min_text_size),
        };

        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        Ok(Layout {
            name: path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("layout")
                .to_string(),
            kind: spec.kind,
            description: spec.description,
            file: self.file.clone(),
            width,
            height,
            margin: spec.page.margin,
            bleed: spec.page.bleed,
            pages: spec.page.pages,
            mirror_rtl: spec.page.mirror_rtl,
            colors,
            styles,
            lang_styles,
            frames,
            print,
            icc,
            black,
        })
    }

    /// Resolves one style (or a language's variant of it, `name` then being
    /// `body.lang.zh-Hant`), reporting unknown names at their place in the file.
    fn style(
        &mut self,
        name: &str,
        s: &StyleSpec,
        span: std::ops::Range<usize>,
        colors: &BTreeMap<String, Color>,
    ) -> Option<Style> {
        let weight = match &s.weight {
            None => 400,
            Some(w) => weight_from_name(w.get_ref()).unwrap_or_else(|| {
                self.problems.push(
                    Diagnostic::error(format!("unknown weight `{}`", w.get_ref()))
                        .at(self.at(w.span()))
                        .field(format!("styles.{name}.weight"))
                        .hint("use regular, medium, semibold, bold, black or a number 1–1000"),
                );
                400
            }),
        };
        let selected = self.fonts.select(s.font.get_ref(), weight, s.italic);
        if let Some(id) = selected {
            let face = self.fonts.face(id);
            // A variable font is set in its default instance; asking it for another weight
            // would silently print the wrong one.
            if face.variable && face.weight.abs_diff(weight) > 50 {
                self.problems.push(
                    Diagnostic::error(format!(
                        "font `{}` is a variable font: broadside sets only its default instance (weight {}), not weight {weight}",
                        s.font.get_ref(),
                        face.weight
                    ))
                    .at(self.at(s.weight.as_ref().map_or(s.font.span(), |w| w.span())))
                    .field(format!("styles.{name}.weight"))
                    .hint(format!(
                        "install the static {} file for this weight (most variable fonts ship them in a `static/` folder)",
                        s.font.get_ref()
                    )),
                );
            }
        }
        if selected.is_none() {
            let families = self.fonts.families();
            self.unknown(
                "font family",
                &s.font,
                format!("styles.{name}.font"),
                families,
            );
        }
        if s.size.0 <= 0.0 || s.leading <= 0.0 {
            self.problems.push(
                Diagnostic::error("size and leading must be larger than zero")
                    .at(self.at(span.clone()))
                    .field(format!("styles.{name}")),
            );
        }
        let sizes = [Some(s.size), s.fit.as_ref().map(|f| f.min)]
            .into_iter()
            .chain([s.fit.as_ref().and_then(|f| f.max)]);
        if let Some(size) = sizes.flatten().find(|p| *p > limits::MAX_TYPE_SIZE) {
            self.problems.push(
                Diagnostic::error(format!(
                    "type size {size} is larger than the largest broadside sets ({}pt, 20in)",
                    limits::MAX_TYPE_SIZE.0
                ))
                .at(self.at(span.clone()))
                .field(format!("styles.{name}.size")),
            );
        }
        // A fit policy sets the style between `min` and `max`: a bound at or under zero
        // would set the type at no size at all.
        if let Some(fit) = &s.fit
            && (fit.min.0 <= 0.0 || fit.max.is_some_and(|max| max.0 <= 0.0 || max < fit.min))
        {
            self.problems.push(
                Diagnostic::error(
                    "a fit policy's `min` and `max` must be larger than zero, and `max` at least `min`",
                )
                .at(self.at(span.clone()))
                .field(format!("styles.{name}.fit"))
                .hint("e.g. `fit = { min = \"9pt\", max = \"12pt\" }`"),
            );
        }
        if s.ink_gap.is_some_and(|g| g.0 < 0.0) {
            self.problems.push(
                Diagnostic::error("ink_gap must not be negative: lines would overlap")
                    .at(self.at(span.clone()))
                    .field(format!("styles.{name}.ink_gap"))
                    .hint("use 0pt for lines that may touch, or `keep_leading = true`"),
            );
        }
        let color = self.color(colors, &s.color, format!("styles.{name}.color"));
        let link_color = s
            .link_color
            .as_ref()
            .and_then(|c| self.color(colors, c, format!("styles.{name}.link_color")));
        Some(Style {
            name: name.to_string(),
            font: s.font.get_ref().clone(),
            weight,
            italic: s.italic,
            size: s.size,
            leading: s.leading,
            tracking: s.tracking,
            color: color?,
            link_color,
            transform: s.transform,
            align: s.align,
            space_before: s.space_before,
            space_after: s.space_after,
            hyphenate: s.hyphenate,
            balance: s.balance,
            indent: s.indent,
            lines: s.lines.filter(|&n| n > 1),
            ink_gap: s.ink_gap,
            keep_leading: s.keep_leading,
            fit: s.fit.as_ref().map(|f| Fit {
                min: f.min,
                max: f.max,
                tracking_min: f.tracking_min.unwrap_or(s.tracking),
                remedies: f.remedies.clone(),
            }),
            fill: s.fill,
        })
    }

    /// The colours marked `black = true`. Text black is a build of its own (100 K), so it
    /// cannot also be pinned or a spot ink.
    fn black_colors(
        &mut self,
        colors: &BTreeMap<String, ColorSpec>,
    ) -> std::collections::BTreeSet<String> {
        let mut black = std::collections::BTreeSet::new();
        for (name, c) in colors {
            let Some(flag) = &c.black else { continue };
            if !*flag.get_ref() {
                continue;
            }
            if c.cmyk.is_some() || c.spot.is_some() {
                self.problems.push(
                    Diagnostic::error(format!(
                        "colour `{name}` is marked `black = true` but also gives {}",
                        if c.spot.is_some() { "a spot ink" } else { "a `cmyk` build" }
                    ))
                    .at(self.at(flag.span()))
                    .field(format!("colors.{name}.black"))
                    .hint("text black prints as 100 K by itself: drop `cmyk`/`spot`, or drop `black = true` to pin the build"),
                );
                continue;
            }
            black.insert(name.clone());
        }
        black
    }

    /// Checks a colour's spot ink name: it needs the colour's CMYK as its alternate, and a
    /// name a PDF Separation can carry that is not a process ink's.
    fn spot(
        &mut self,
        color: &str,
        spot: &Spanned<String>,
        cmyk: Option<[u8; 4]>,
    ) -> Option<String> {
        let name = spot.get_ref().trim();
        let field = format!("colors.{color}.spot");
        let problem = if cmyk.is_none() {
            Some((
                format!("spot colour `{name}` has no CMYK alternate"),
                "give the colour `cmyk = [c, m, y, k]`: printers without the ink, proofs and viewers show that",
            ))
        } else if name.is_empty() {
            Some((
                "the spot colour name is empty".into(),
                "name the ink as the printer knows it, e.g. \"PANTONE 2766 C\"",
            ))
        } else if name.len() > 127 || name.chars().any(char::is_control) {
            Some((
                format!("spot colour name `{name}` cannot be a PDF colorant name"),
                "use at most 127 bytes and no control characters",
            ))
        } else if ["Cyan", "Magenta", "Yellow", "Black", "All", "None"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
        {
            Some((
                format!("`{name}` is a process or reserved colorant, not a spot ink"),
                "leave `spot` out to print the colour in CMYK",
            ))
        } else {
            None
        };
        match problem {
            Some((message, hint)) => {
                self.problems.push(
                    Diagnostic::error(message)
                        .at(self.at(spot.span()))
                        .field(field)
                        .hint(hint),
                );
                None
            }
            None => Some(name.to_string()),
        }
    }

    /// One ink, one alternate: two palette colours naming the same spot must give it the
    /// same CMYK, or proofs and the press would disagree about it.
    fn one_alternate_per_spot(&mut self, colors: &BTreeMap<String, ColorSpec>) {
        let mut seen: BTreeMap<&str, (&str, Option<[u8; 4]>)> = BTreeMap::new();
        for (name, c) in colors {
            let Some(spot) = &c.spot else { continue };
            let ink = spot.get_ref().trim();
            match seen.get(ink) {
                Some(&(other, cmyk)) if cmyk != c.cmyk => self.problems.push(
                    Diagnostic::error(format!(
                        "colours `{other}` and `{name}` both print as spot `{ink}` but with different CMYK alternates"
                    ))
                    .at(self.at(spot.span()))
                    .field(format!("colors.{name}.cmyk"))
                    .hint("a spot ink has one alternate: give both the same `cmyk`, or name different inks"),
                ),
                Some(_) => {}
                None => {
                    seen.insert(ink, (name, c.cmyk));
                }
            }
        }
    }

    /// Loads and checks `[print] icc`, relative to the layout file's folder.
    fn icc(
        &mut self,
        icc: &Spanned<String>,
        path: &Path,
    ) -> Option<std::sync::Arc<crate::pdfx::IccProfile>> {
        let base = path.parent().unwrap_or(Path::new("."));
        let file = base.join(icc.get_ref());
        match crate::pdfx::IccProfile::named_or_file(icc.get_ref(), base) {
            Ok(profile) => Some(profile),
            Err(why) => {
                self.problems.push(
                    Diagnostic::error(format!(
                        "print profile `{}` cannot be the output intent: {why}",
                        file.display()
                    ))
                    .at(self.at(icc.span()))
                    .field("print.icc")
                    .hint(format!("name a bundled profile ({}) or your printer's CMYK output ICC profile, relative to the layout file; leave `icc` out for the bundled GRACoL profile", crate::pdfx::icc::bundled_names())),
                );
                None
            }
        }
    }
}

fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}
