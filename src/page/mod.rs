//! The page display list: the one seam of the program. Compose produces a [`Document`] of
//! [`Page`]s of positioned [`Item`]s in points; render (PDF), preview (PNG, from the PDF),
//! preflight, print marks, tiling and the proof sheet read only this list. Nothing here
//! knows about layouts, campaigns or PDF.

pub mod geom;
pub mod image;
pub mod structure;

pub use geom::{Color, Rect, Transform};
pub use image::{ImageData, ImageFormat, image_limits};

use crate::fonts::{FontBook, FontId};
pub use crate::units::Pt;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

/// A composed document: pages plus what the PDF's metadata and outline need.
#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub lang: String,
    /// The year the kit is for; the PDF's dates derive from it, never from the clock.
    pub year: i32,
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    /// Set for print: the page grows by `offset` on every side for marks and slug.
    pub print: Option<PrintSetup>,
    /// The logical structure for tagging, in reading order.
    pub structure: Vec<structure::Element>,
}

/// Print geometry, in points: the bleed around the trim, and the margin outside the trim
/// that holds the bleed, the crop marks and the slug.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrintSetup {
    pub bleed: Pt,
    pub offset: Pt,
}

#[derive(Debug, Clone)]
pub struct OutlineEntry {
    pub title: String,
    pub page: usize,
    pub y: Pt,
}

/// One page's display list, in points from the trim's top-left corner, y down.
#[derive(Debug, Clone)]
pub struct Page {
    pub width: Pt,
    pub height: Pt,
    pub items: Vec<Item>,
    /// Which layout frame drew which items, so checks can name the frame. Items outside
    /// every region (print marks, slug) belong to no frame.
    pub regions: Vec<FrameRegion>,
}

/// The items of `page.items[items]` were drawn for layout frame `frame` (an index into
/// `Layout::frames`).
#[derive(Debug, Clone)]
pub struct FrameRegion {
    pub frame: usize,
    pub items: std::ops::Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Item {
    /// A filled and/or stroked rectangle, optionally with rounded corners.
    Shape {
        rect: Rect,
        radius: Pt,
        fill: Option<Color>,
        stroke: Option<(Color, Pt)>,
    },
    Line {
        from: (Pt, Pt),
        to: (Pt, Pt),
        color: Color,
        width: Pt,
        /// Dashed (cut lines) or solid (`None`).
        dash: Option<Dash>,
    },
    Text(GlyphRun),
    Image(PlacedImage),
    Link {
        rect: Rect,
        url: String,
    },
    /// Items drawn together under a clip, a transform and an opacity: a page drawn onto
    /// another (a poster's tile, a proof thumbnail) is a group holding its items.
    Group(Group),
}

impl Item {
    /// Whether `f` holds for an item of `items` or, depth first, of the items inside groups.
    pub fn any(items: &[Item], f: &mut dyn FnMut(&Item) -> bool) -> bool {
        items
            .iter()
            .any(|item| f(item) || matches!(item, Item::Group(group) if Item::any(&group.items, f)))
    }

    /// Calls `f` on every item of `items` and, depth first, on the items inside groups.
    pub fn each_mut(items: &mut [Item], f: &mut dyn FnMut(&mut Item)) {
        for item in items {
            f(item);
            if let Item::Group(group) = item {
                Item::each_mut(&mut group.items, f);
            }
        }
    }
}

/// A group's items are in their own coordinates: `transform` maps them onto the page, and
/// `clip` (in the page's coordinates, outside the transform) bounds what shows.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub clip: Option<Rect>,
    pub transform: Option<Transform>,
    /// Below 1.0 the group is drawn see-through.
    pub opacity: Option<f32>,
    /// A repeat of content tagged elsewhere in the document (a poster's tile, where the
    /// assembly sheet's copy carries the tags): drawn as one artifact, its links dropped.
    pub artifact: bool,
    pub items: Vec<Item>,
}

/// A stroke's dash pattern, in points: on, off, on, … from `offset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dash {
    pub array: Vec<Pt>,
    pub offset: Pt,
}

/// Glyphs in one font and colour, starting at a baseline point.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    pub font: FontId,
    pub size: Pt,
    pub color: Color,
    pub x: Pt,
    pub y: Pt,
    pub text: String,
    pub glyphs: Vec<PlacedGlyph>,
    /// The paragraph (`Para::id`) this run sets; `None` for print furniture.
    pub para: Option<usize>,
    /// Drawn as filled outlines, not as text: artwork set in type (a county's name as a
    /// mark beside the headline), which text extraction must not read into the headline.
    pub outlined: bool,
}

#[derive(Debug, Clone)]
pub struct PlacedImage {
    /// The area the image is clipped to (the frame).
    pub clip: Rect,
    /// Where the whole image lands (may extend past `clip` with `fit = "cover"`).
    pub rect: Rect,
    pub image: Arc<ImageData>,
    /// `None` for an image declared decorative.
    pub alt: Option<String>,
}

/// One glyph with its advance and offsets in em of its run's `size`: a PDF writes glyph
/// positions in text space (em), so the list keeps them there and a reader wanting points
/// multiplies by the size once ([`GlyphRun::width`], [`GlyphRun::advance`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub id: u16,
    pub x_advance_em: f32,
    pub x_offset_em: f32,
    pub y_offset_em: f32,
    /// Byte range of the glyph's cluster in the run's text.
    pub range: Range<usize>,
}

impl GlyphRun {
    /// How far `glyph` moves the pen, in points.
    pub fn advance(&self, glyph: &PlacedGlyph) -> Pt {
        glyph.x_advance_em * self.size
    }

    /// The run's advance width in points: the sum of its glyphs' advances.
    pub fn width(&self) -> Pt {
        self.glyphs.iter().map(|g| g.x_advance_em).sum::<f32>() * self.size
    }
}

impl Document {
    /// A stable, human-readable dump of the display list for snapshot tests: every item with
    /// its position rounded to 0.1 pt.
    pub fn describe(&self, fonts: &FontBook) -> String {
        let mut out = String::new();
        for (n, page) in self.pages.iter().enumerate() {
            let _ = writeln!(
                out,
                "page {} {:.1}x{:.1}",
                n + 1,
                page.width.0,
                page.height.0
            );
            describe_items(&mut out, &page.items, 1, fonts);
        }
        out
    }
}

/// Writes one line per item, indented two spaces per level; a group's items follow it one
/// level deeper.
fn describe_items(out: &mut String, items: &[Item], depth: usize, fonts: &FontBook) {
    let pad = "  ".repeat(depth);
    for item in items {
        let _ = match item {
            Item::Shape {
                rect,
                radius,
                fill,
                stroke,
            } => writeln!(
                out,
                "{pad}shape {} r{:.1} fill={} stroke={}",
                fmt_rect(rect),
                radius.0,
                fill.as_ref().map_or("-", |c| &c.name),
                stroke
                    .as_ref()
                    .map_or("-".to_string(), |(c, w)| format!("{}@{:.2}", c.name, w.0))
            ),
            Item::Line {
                from,
                to,
                color,
                width,
                dash,
            } => {
                writeln!(
                    out,
                    "{pad}line ({:.1},{:.1})-({:.1},{:.1}) {}@{:.2}{}",
                    from.0.0,
                    from.1.0,
                    to.0.0,
                    to.1.0,
                    color.name,
                    width.0,
                    dash.as_ref().map_or(String::new(), |d| format!(
                        " dash {:?}",
                        d.array.iter().map(|on_off| on_off.0).collect::<Vec<f32>>()
                    ))
                )
            }
            Item::Text(run) => writeln!(
                out,
                "{pad}text ({:.1},{:.1}) {} {:.1}pt {} {:?}",
                run.x.0,
                run.y.0,
                fonts.face(run.font).family,
                run.size.0,
                run.color.name,
                run.text
            ),
            Item::Image(img) => writeln!(
                out,
                "{pad}image {} clip {} alt={:?}",
                fmt_rect(&img.rect),
                fmt_rect(&img.clip),
                img.alt
            ),
            Item::Link { rect, url } => writeln!(out, "{pad}link {} {url}", fmt_rect(rect)),
            Item::Group(group) => {
                let _ = writeln!(
                    out,
                    "{pad}group clip={} transform={:?} opacity={:?}{}",
                    group.clip.as_ref().map_or("-".to_string(), fmt_rect),
                    group.transform.map(|t| [t.a, t.b, t.c, t.d, t.e.0, t.f.0]),
                    group.opacity,
                    if group.artifact { " artifact" } else { "" }
                );
                describe_items(out, &group.items, depth + 1, fonts);
                Ok(())
            }
        };
    }
}

fn fmt_rect(r: &Rect) -> String {
    format!("[{:.1},{:.1} {:.1}x{:.1}]", r.x.0, r.y.0, r.w.0, r.h.0)
}
