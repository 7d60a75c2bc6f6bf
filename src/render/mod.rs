//! Render: the page display list (`page::Document`) → PDF bytes with krilla (subset fonts,
//! real text, links, outline, metadata, tags), and PDF → PNG previews with hayro. The one
//! renderer: edition PDFs, poster tiles and proof sheets are all drawn by `draw_items`.
//! Render makes no layout decisions. `pack` packs the written file's objects; `preview`
//! draws PDF pages as PNG.

pub(crate) mod pack;
mod preview;
mod tags;

pub use pack::pack_objects;
pub use preview::{MAX_PREVIEW_DPI, MAX_PREVIEW_PIXELS, preview_png};
use tags::{describe_violation, tag_tree, violation_field};

use crate::diag::Diagnostic;
use crate::fonts::FontBook;
use crate::page::{
    Color, Document, GlyphRun, Group, ImageFormat, Item, PlacedGlyph, PlacedImage, Pt, Rect,
};
use krilla::SerializeSettings;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{Path, PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, SpanTag};
use krilla::text::{Glyph, GlyphId};
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::ops::Range;

/// The display list's glyphs carry advances in em; krilla asks for them at a font size
/// (it calls with 1.0 to get em units).
struct PdfGlyph<'a> {
    glyph: &'a PlacedGlyph,
    /// The paragraph the glyph sets, so a validator complaint can name its field.
    location: Option<krilla::surface::Location>,
}

impl Glyph for PdfGlyph<'_> {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.glyph.id))
    }
    fn text_range(&self) -> Range<usize> {
        self.glyph.range.clone()
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.glyph.x_advance_em * size
    }
    fn x_offset(&self, size: f32) -> f32 {
        self.glyph.x_offset_em * size
    }
    fn y_offset(&self, size: f32) -> f32 {
        self.glyph.y_offset_em * size
    }
    fn y_advance(&self, _size: f32) -> f32 {
        0.0
    }
    fn location(&self) -> Option<krilla::surface::Location> {
        self.location
    }
}

/// Which standards a PDF claims, checked by krilla's validators as it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conformance {
    /// PDF/UA-1: tagged, with alt text, titles and outline (every screen edition).
    pub accessible: bool,
    /// PDF/A-2a as well, for records retention (`build --archive`).
    pub archival: bool,
}

/// Writes the document as PDF: tagged always; validated as PDF/UA-1 on screen (print
/// files carry a PDF/X intent instead). The same document always gives the same bytes:
/// dates come from the kit's year and krilla derives the file ID from the content.
pub fn to_pdf(doc: &Document, fonts: &FontBook) -> Result<Vec<u8>, Diagnostic> {
    let conformance = Conformance {
        accessible: doc.print.is_none(),
        archival: false,
    };
    to_pdf_as(doc, fonts, conformance)
}

/// [`to_pdf`] with the standards chosen by the caller.
pub fn to_pdf_as(
    doc: &Document,
    fonts: &FontBook,
    conformance: Conformance,
) -> Result<Vec<u8>, Diagnostic> {
    let bytes = krilla_file(doc, fonts, conformance)?;
    // Print files go on to the PDF/X-4 step, which rewrites them anyway.
    if doc.print.is_some() {
        return Ok(bytes);
    }
    pack_objects(&bytes, conformance.archival)
}

/// The file as krilla writes it, before [`pack_objects`].
fn krilla_file(
    doc: &Document,
    fonts: &FontBook,
    conformance: Conformance,
) -> Result<Vec<u8>, Diagnostic> {
    let mut configuration = ConfigurationBuilder::new();
    if conformance.accessible {
        configuration = configuration.with_accessibility_validator(Accessibility::UA1);
    }
    if conformance.archival {
        configuration = configuration.with_archival_validator(Archival::A2_A);
    }
    let settings = match doc.print {
        // Print files are PDF 1.6 without device RGB, for the PDF/X-4 step (`pdfx`); they
        // are tagged too, but claim no PDF/UA (their marks and slug sit outside the trim).
        Some(_) => SerializeSettings {
            enable_tagging: true,
            ..crate::pdfx::krilla_settings()
        },
        // Content streams are left plain: `pack_objects` rounds, strips and deflates them
        // anyway, and deflating them here first (then inflating them there) was a tenth of
        // a flyer's writing time.
        None => SerializeSettings {
            enable_tagging: true,
            compress_content_streams: false,
            configuration: configuration.finish().map_err(|e| {
                Diagnostic::error(format!("cannot combine the PDF standards asked for: {e:?}"))
            })?,
            ..SerializeSettings::default()
        },
    };
    let mut pdf = krilla::Document::new_with(settings);
    let mut tags = Tags::default();
    // Print pages grow by the marks margin on every side; the trim sits at (offset, offset)
    // with the bleed box around it. Screen pages are the trim.
    let offset = doc.print.map_or(Pt::ZERO, |p| p.offset);
    let cmyk = doc.print.is_some();
    for page in &doc.pages {
        let (w, h) = (page.width + 2.0 * offset, page.height + 2.0 * offset);
        let size = Size::from_wh(w.0, h.0).ok_or_else(|| Diagnostic::error("page has no area"))?;
        let mut settings = PageSettings::new(size);
        if let Some(print) = doc.print {
            let b = print.bleed;
            let rect =
                |x: Pt, y: Pt, w: Pt, h: Pt| krilla::geom::Rect::from_xywh(x.0, y.0, w.0, h.0);
            settings = settings
                .with_bleed_box(rect(
                    offset - b,
                    offset - b,
                    page.width + 2.0 * b,
                    page.height + 2.0 * b,
                ))
                .with_trim_box(rect(offset, offset, page.width, page.height));
        }
        let mut pdf_page = pdf.start_page_with(settings);
        let mut surface = pdf_page.surface();
        surface.push_transform(&Transform::from_translate(offset.0, offset.0));
        let links = draw_items(
            &mut surface,
            &page.items,
            fonts,
            cmyk,
            // Smoothing helps a coarse logo on screen; PDF/A forbids asking for it, and a
            // press RIP renders at its own resolution, where print workflows expect none.
            !conformance.archival && doc.print.is_none(),
            Some(&mut tags),
        )
        .map_err(Diagnostic::error)?;
        surface.pop();
        surface.finish();
        // Paper cannot follow a link, and PDF/X keeps annotations off the printed area: print
        // files carry the linked text (tagged) without its annotation.
        let links = if doc.print.is_some() {
            Vec::new()
        } else {
            links
        };
        annotate_links(&mut pdf_page, links, &mut tags, offset);
        pdf_page.finish();
    }
    pdf.set_tag_tree(tag_tree(doc, tags).map_err(Diagnostic::error)?);

    pdf.set_outline(outline(doc));
    pdf.set_metadata(metadata(doc, true));
    let bytes = pdf.finish().map_err(|e| match e {
        KrillaError::Validation(problems) => {
            let list: Vec<String> = problems
                .iter()
                .map(|(problem, _)| describe_violation(problem, doc))
                .collect();
            let d = Diagnostic::error(format!(
                "the PDF breaks the standard it claims: {}",
                list.join("; ")
            ));
            // The first content field a complaint names is where to look.
            match problems
                .iter()
                .find_map(|(problem, _)| violation_field(problem, doc))
            {
                Some(field) => d.field(field),
                None => d,
            }
        }
        KrillaError::Font(font, why) => {
            // Name the file: the writer knows the font only by its bytes.
            let face = fonts
                .faces()
                .find(|(_, f)| f.made_pdf_font() == Some(&font))
                .map(|(_, f)| f);
            let file = face.map_or("a font".to_string(), |f| {
                format!("font `{}`", f.path.display())
            });
            let d = Diagnostic::error(format!("{file} cannot be embedded (subsetting it failed: {why}); replace the file with a working copy"));
            match face {
                Some(f) => d.in_file(&f.path),
                None => d,
            }
        }
        KrillaError::Image(_, _, why) => {
            Diagnostic::error(format!("an image cannot be embedded: {why}"))
        }
        other => Diagnostic::error(format!("the PDF writer refused the document: {other:?}")),
    })?;
    Ok(bytes)
}

/// Adds each drawn link's annotation to the page (areas in trim coordinates, the trim at
/// (`offset`, `offset`)) and ties it to the linked text's tag.
fn annotate_links(
    pdf_page: &mut krilla::page::Page,
    links: Vec<LinkSpot>,
    tags: &mut Tags,
    offset: Pt,
) {
    for link in links {
        // Linked text in a decorative frame is an artifact; its link would be an
        // annotation outside the structure, which PDF/UA forbids. The frame that shows
        // the content for real carries the link.
        let Some((para, index)) = link.anchor else {
            continue;
        };
        let r = &link.rect;
        let (x, y) = (r.x + offset, r.y + offset);
        let Some(area) = krilla::geom::Rect::from_xywh(x.0, y.0, r.w.0, r.h.0) else {
            continue;
        };
        let target = Target::Action(LinkAction::new(link.url.clone()).into());
        // The alternate text says where the link goes.
        let annotation = Annotation::new_link(
            LinkAnnotation::new(area, target),
            Some(format!("Link to {}", link.url)),
        );
        let id = pdf_page.add_tagged_annotation(annotation);
        if let Some(Piece::Link(_, slot)) = tags.paras.get_mut(&para).and_then(|p| p.get_mut(index))
        {
            *slot = Some(id);
        }
    }
}

/// The bookmarks: one per outline entry, at its page and height.
fn outline(doc: &Document) -> Outline {
    let mut outline = Outline::new();
    for entry in &doc.outline {
        outline.push_child(OutlineNode::new(
            crate::typography::nfc(&entry.title),
            XyzDestination::new(entry.page, Point::from_xy(0.0, entry.y.max(Pt::ZERO).0)),
        ));
    }
    outline
}

/// The document information: title, author, subject, language, creator and a date. The kit
/// is dated the first of its year, not the wall clock, so rebuilds match. `nfc`: in NFC, as
/// tagged text is.
fn metadata(doc: &Document, nfc: bool) -> Metadata {
    let text = |t: &str| {
        if nfc {
            crate::typography::nfc(t)
        } else {
            t.to_string()
        }
    };
    let year = u16::try_from(doc.year).unwrap_or(2000);
    Metadata::new()
        .title(text(&doc.title))
        .authors(vec![text(&doc.author)])
        .description(text(&doc.subject))
        .language(doc.lang.clone())
        .creator(format!("broadside {}", env!("CARGO_PKG_VERSION")))
        .creation_date(DateTime::new(year).month(1).day(1))
}

/// Writes sheets made for paper around a document — poster tiles, proof sheets — with
/// each page's display list as it is (groups hold the copies of the pages they show),
/// colours in DeviceCMYK when `cmyk`. Sheets that carry a structure (tiles carry their
/// poster's, tagged on the assembly sheet's copy) are tagged like any page, with their
/// links, and claim PDF/UA-1; sheets without one (proof sheets) are written untagged.
pub fn sheets_to_pdf(doc: &Document, fonts: &FontBook, cmyk: bool) -> Result<Vec<u8>, Diagnostic> {
    let tagged = !doc.structure.is_empty();
    let mut pdf = if tagged {
        let configuration = ConfigurationBuilder::new()
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .map_err(|e| Diagnostic::error(format!("cannot claim PDF/UA-1: {e:?}")))?;
        krilla::Document::new_with(SerializeSettings {
            enable_tagging: true,
            configuration,
            ..SerializeSettings::default()
        })
    } else {
        krilla::Document::new()
    };
    let mut tags = Tags::default();
    for page in &doc.pages {
        let size = Size::from_wh(page.width.0, page.height.0)
            .ok_or_else(|| Diagnostic::error("a sheet has no area"))?;
        let mut sheet = pdf.start_page_with(PageSettings::new(size));
        let mut surface = sheet.surface();
        let links = draw_items(
            &mut surface,
            &page.items,
            fonts,
            cmyk,
            true,
            tagged.then_some(&mut tags),
        )
        .map_err(Diagnostic::error)?;
        surface.finish();
        if tagged {
            annotate_links(&mut sheet, links, &mut tags, Pt::ZERO);
        }
        sheet.finish();
    }
    if tagged {
        pdf.set_tag_tree(tag_tree(doc, tags).map_err(Diagnostic::error)?);
        pdf.set_outline(outline(doc));
    }
    pdf.set_metadata(metadata(doc, tagged));
    // Rounded as the poster's own file is (`lean`), so both draw the same pixels.
    pdf.finish()
        .map(crate::lean::round_numbers)
        .map_err(|e| Diagnostic::error(format!("the PDF writer refused the sheets: {e:?}")))
}

/// Links drawn on a page, for the caller to annotate once the page's content is done.
pub(crate) struct LinkSpot {
    pub rect: Rect,
    pub url: String,
    /// Where the link's text sits in the tags: (paragraph id, index of its piece).
    anchor: Option<(usize, usize)>,
}

/// The marked content a document's drawing produced, for the tag tree.
#[derive(Default)]
pub(crate) struct Tags {
    /// Each paragraph's pieces, in drawing order.
    paras: HashMap<usize, Vec<Piece>>,
    /// The figures' content (the logo), in drawing order.
    figures: Vec<Identifier>,
}

enum Piece {
    Span(Identifier),
    /// Linked text and, once the page has annotated it, its link annotation.
    Link(Identifier, Option<Identifier>),
}

/// The marked-content sequence currently open while drawing a tagged page.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    Artifact,
    Para(usize),
}

/// Draws display-list items on a surface, in trim coordinates, painting palette colours in
/// DeviceCMYK when `cmyk` (print) and RGB otherwise. With `tags`, every item is marked:
/// paragraph text as spans of its paragraph, the logo as a figure, and decoration, marks
/// and decorative images as artifacts. Links are not drawn but returned, in the same
/// coordinates, for the caller to annotate. Images ask the reader to smooth them when
/// `interpolate` (a coarse logo on screen), which PDF/A forbids.
pub(crate) fn draw_items(
    surface: &mut Surface,
    items: &[Item],
    fonts: &FontBook,
    cmyk: bool,
    interpolate: bool,
    mut tags: Option<&mut Tags>,
) -> Result<Vec<LinkSpot>, String> {
    let fill_of = |c: &Color| fill_of(c, cmyk);
    let stroke_of = |c: &Color, w: Pt| stroke_of(c, w, cmyk);
    let mut links = Vec::new();
    let mut open = Open::Nothing;
    // The piece the latest linked run made, for the link item that follows it.
    let mut last_link_piece = None;
    for (i, item) in items.iter().enumerate() {
        if let Some(tags) = tags.as_deref_mut() {
            let linked_run = matches!(items.get(i + 1), Some(Item::Link { .. }));
            let want = match item {
                Item::Text(run) => match run.para {
                    Some(id) if !linked_run => Open::Para(id),
                    Some(_) => Open::Nothing, // a link's text gets a span of its own below
                    None => Open::Artifact,
                },
                Item::Image(placed) if placed.alt.is_some() => Open::Nothing,
                // A repeat is one artifact; any other group's items open and close their
                // own marked content within it.
                Item::Group(group) if group.artifact => Open::Artifact,
                Item::Group(_) => Open::Nothing,
                Item::Link { .. } => open,
                _ => Open::Artifact,
            };
            if want != open {
                if open != Open::Nothing {
                    surface.end_tagged();
                }
                match want {
                    Open::Nothing => {}
                    Open::Artifact => {
                        surface.start_tagged(ContentTag::Artifact(Artifact::new(
                            ArtifactType::Other,
                            None,
                        )));
                    }
                    Open::Para(id) => {
                        let span = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                        tags.paras.entry(id).or_default().push(Piece::Span(span));
                    }
                }
                open = want;
            }
            match item {
                Item::Text(run) if linked_run => {
                    if let Some(id) = run.para {
                        let span = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                        let pieces = tags.paras.entry(id).or_default();
                        last_link_piece = Some((id, pieces.len()));
                        pieces.push(Piece::Link(span, None));
                    }
                }
                Item::Image(placed) if placed.alt.is_some() => {
                    tags.figures.push(surface.start_tagged(ContentTag::Other));
                }
                _ => {}
            }
        }
        match item {
            Item::Shape {
                rect,
                radius,
                fill,
                stroke,
            } => {
                if let Some(path) = rounded_rect(rect, *radius) {
                    surface.set_fill(fill.as_ref().map(&fill_of));
                    surface.set_stroke(stroke.as_ref().map(|(c, w)| stroke_of(c, *w)));
                    surface.draw_path(&path);
                }
            }
            Item::Line {
                from,
                to,
                color,
                width,
                dash,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(from.0.0, from.1.0);
                pb.line_to(to.0.0, to.1.0);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        dash: dash.as_ref().map(|d| StrokeDash {
                            array: d.array.iter().map(|length| length.0).collect(),
                            offset: d.offset.0,
                        }),
                        ..stroke_of(color, *width)
                    }));
                    surface.draw_path(&path);
                }
            }
            Item::Text(run) if run.outlined => {
                surface.set_stroke(None);
                surface.set_fill(Some(fill_of(&run.color)));
                if let Some(path) = outlines_of(run, fonts) {
                    surface.draw_path(&path);
                }
            }
            Item::Text(run) => {
                let glyphs: Vec<PdfGlyph> = run
                    .glyphs
                    .iter()
                    .map(|glyph| PdfGlyph {
                        glyph,
                        location: run.para.and_then(|id| NonZeroU64::new(id as u64 + 1)),
                    })
                    .collect();
                surface.set_stroke(None);
                surface.set_fill(Some(fill_of(&run.color)));
                surface.draw_glyphs(
                    Point::from_xy(run.x.0, run.y.0),
                    &glyphs,
                    fonts.face(run.font).pdf_font(),
                    &run.text,
                    run.size.0,
                    false,
                );
            }
            Item::Image(placed) => draw_image(surface, placed, interpolate)?,
            Item::Group(group) => {
                // Inside an artifact nothing is tagged, and a repeat's links are dropped
                // (its tagged copy carries them).
                let tags = tags.as_deref_mut().filter(|_| !group.artifact);
                let inner = draw_group(surface, group, fonts, cmyk, interpolate, tags)?;
                if !group.artifact {
                    links.extend(inner);
                }
            }
            Item::Link { rect, url } => links.push(LinkSpot {
                rect: *rect,
                url: url.clone(),
                anchor: last_link_piece.take(),
            }),
        }
        // A link's text and a figure are each one marked sequence of their own.
        let closes_itself = match item {
            Item::Text(run) => {
                run.para.is_some() && matches!(items.get(i + 1), Some(Item::Link { .. }))
            }
            Item::Image(placed) => placed.alt.is_some(),
            _ => false,
        };
        if tags.is_some() && closes_itself {
            surface.end_tagged();
        }
    }
    if tags.is_some() && open != Open::Nothing {
        surface.end_tagged();
    }
    Ok(links)
}

/// A run's glyphs as one filled path of their outlines, placed as they were set (font
/// units scaled to the run's size, y flipped to the page's downward axis); `None` when no
/// glyph draws anything.
fn outlines_of(run: &GlyphRun, fonts: &FontBook) -> Option<Path> {
    struct Pen<'p> {
        path: &'p mut PathBuilder,
        x: f32,
        y: f32,
        scale: f32,
    }
    impl Pen<'_> {
        fn at(&self, x: f32, y: f32) -> (f32, f32) {
            (self.x + x * self.scale, self.y - y * self.scale)
        }
    }
    impl ttf_parser::OutlineBuilder for Pen<'_> {
        fn move_to(&mut self, x: f32, y: f32) {
            let (x, y) = self.at(x, y);
            self.path.move_to(x, y);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            let (x, y) = self.at(x, y);
            self.path.line_to(x, y);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            let ((x1, y1), (x, y)) = (self.at(x1, y1), self.at(x, y));
            self.path.quad_to(x1, y1, x, y);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            let ((x1, y1), (x2, y2), (x, y)) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
            self.path.cubic_to(x1, y1, x2, y2, x, y);
        }
        fn close(&mut self) {
            self.path.close();
        }
    }
    let face = fonts.face(run.font);
    let outlines = face.parsed();
    let mut path = PathBuilder::new();
    let mut pen_x = run.x;
    for glyph in &run.glyphs {
        let mut pen = Pen {
            path: &mut path,
            x: (pen_x + glyph.x_offset_em * run.size).0,
            y: (run.y - glyph.y_offset_em * run.size).0,
            scale: run.size.0 / face.units_per_em,
        };
        outlines.outline_glyph(ttf_parser::GlyphId(glyph.id), &mut pen);
        pen_x += run.advance(glyph);
    }
    path.finish()
}

/// Draws a group's items under its clip, transform and opacity (pushed in that order).
/// Returns the links inside it in the surrounding coordinates: each link's area through
/// the transform, cut to the clip; a link wholly clipped away is dropped.
fn draw_group(
    surface: &mut Surface,
    group: &Group,
    fonts: &FontBook,
    cmyk: bool,
    interpolate: bool,
    tags: Option<&mut Tags>,
) -> Result<Vec<LinkSpot>, String> {
    let mut pushed = 0;
    if let Some(clip) = &group.clip {
        let path = rounded_rect(clip, Pt::ZERO).ok_or("a group's clip has no area")?;
        surface.push_clip_path(&path, &FillRule::NonZero);
        pushed += 1;
    }
    if let Some(t) = group.transform {
        surface.push_transform(&Transform::from_row(t.a, t.b, t.c, t.d, t.e.0, t.f.0));
        pushed += 1;
    }
    if let Some(opacity) = group.opacity {
        let opacity = NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE);
        surface.push_opacity(opacity);
        pushed += 1;
    }
    let result = draw_items(surface, &group.items, fonts, cmyk, interpolate, tags);
    for _ in 0..pushed {
        surface.pop();
    }
    Ok(result?
        .into_iter()
        .filter_map(|mut link| {
            if let Some(t) = group.transform {
                link.rect = t.bounds(&link.rect);
            }
            if let Some(clip) = &group.clip {
                link.rect = link.rect.intersect(clip)?;
            }
            Some(link)
        })
        .collect())
}

fn draw_image(
    surface: &mut Surface,
    placed: &PlacedImage,
    interpolate: bool,
) -> Result<(), String> {
    let data: krilla::Data = placed.image.bytes.clone().into();
    let image = match placed.image.format {
        // A JPEG goes into the PDF as it is (DCTDecode), never re-encoded; one finer than
        // 1200 ppi where it lands reaches here already resampled, as a PNG (`ImageData::downsampled`).
        ImageFormat::Jpeg => Image::from_jpeg(data, interpolate),
        ImageFormat::Png => Image::from_png(data, interpolate),
        // A print file's RGB image, separated through its output profile: DeviceCMYK,
        // which the output intent defines.
        ImageFormat::Cmyk => Image::from_custom(
            CmykPixels {
                inks: placed.image.bytes.clone(),
                alpha: placed.image.alpha.clone(),
                size: (placed.image.width_px, placed.image.height_px),
            },
            interpolate,
        ),
    }?;
    let clip = rounded_rect(&placed.clip, Pt::ZERO).ok_or("image frame has no area")?;
    surface.push_clip_path(&clip, &FillRule::NonZero);
    let rect = placed.rect;
    surface.push_transform(&Transform::from_translate(rect.x.0, rect.y.0));
    // The stored pixels are drawn turned by the EXIF orientation into the shown box.
    let (turn, stored_w, stored_h) =
        orientation_transform(placed.image.orientation, rect.w.0, rect.h.0);
    surface.push_transform(&turn);
    surface.draw_image(
        image,
        Size::from_wh(stored_w, stored_h).ok_or("image has no area")?,
    );
    surface.pop();
    surface.pop();
    surface.pop();
    Ok(())
}

/// Separated CMYK pixels as krilla takes them ([`ImageFormat::Cmyk`]).
#[derive(Clone)]
struct CmykPixels {
    inks: std::sync::Arc<Vec<u8>>,
    alpha: Option<std::sync::Arc<Vec<u8>>>,
    size: (u32, u32),
}

/// krilla tells images apart by this hash: the pixels themselves, so the same logo in two
/// places is one image in the file, whatever the allocation.
impl std::hash::Hash for CmykPixels {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inks.hash(state);
        self.alpha.hash(state);
        self.size.hash(state);
    }
}

impl krilla::image::CustomImage for CmykPixels {
    fn color_channel(&self) -> &[u8] {
        &self.inks
    }

    fn alpha_channel(&self) -> Option<&[u8]> {
        self.alpha.as_deref().map(Vec::as_slice)
    }

    fn bits_per_component(&self) -> krilla::image::BitsPerComponent {
        krilla::image::BitsPerComponent::Eight
    }

    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }

    fn color_space(&self) -> krilla::image::ImageColorspace {
        krilla::image::ImageColorspace::Cmyk
    }
}

/// For an image shown `w` × `h` (y down) with EXIF `orientation`: the transform from the
/// stored image's box to the shown box, and the stored box's size (turned a quarter for
/// orientations 5 to 8).
pub fn orientation_transform(orientation: u8, w: f32, h: f32) -> (Transform, f32, f32) {
    // Stored box a × b; a point (x, y) of it lands at the shown point below.
    let (a, b) = if orientation >= 5 { (h, w) } else { (w, h) };
    // from_row(sx, ky, kx, sy, tx, ty): x' = sx·x + kx·y + tx, y' = ky·x + sy·y + ty.
    let t = match orientation {
        2 => Transform::from_row(-1.0, 0.0, 0.0, 1.0, a, 0.0), // (a − x, y)
        3 => Transform::from_row(-1.0, 0.0, 0.0, -1.0, a, b),  // (a − x, b − y)
        4 => Transform::from_row(1.0, 0.0, 0.0, -1.0, 0.0, b), // (x, b − y)
        5 => Transform::from_row(0.0, 1.0, 1.0, 0.0, 0.0, 0.0), // (y, x)
        6 => Transform::from_row(0.0, 1.0, -1.0, 0.0, b, 0.0), // (b − y, x): 90° clockwise
        7 => Transform::from_row(0.0, -1.0, -1.0, 0.0, b, a),  // (b − y, a − x)
        8 => Transform::from_row(0.0, -1.0, 1.0, 0.0, 0.0, a), // (y, a − x): 90° anticlockwise
        _ => Transform::identity(),
    };
    (t, a, b)
}

/// A palette colour as paint: DeviceCMYK from its CMYK percentages for print (a spot
/// colour: its Separation at full tint, the CMYK as the alternate), RGB on screen.
fn paint_of(color: &Color, cmyk: bool) -> krilla::paint::Paint {
    use krilla::color::separation::{SeparationColorant, SeparationSpace};
    match (cmyk, color.cmyk) {
        (true, Some([c, m, y, k])) => {
            let scale = |p: u8| (u16::from(p) * 255 / 100) as u8;
            let process = krilla::color::cmyk::Color::new(scale(c), scale(m), scale(y), scale(k));
            match &color.spot {
                Some(name) => {
                    let colorant = SeparationColorant::Custom(name.clone());
                    let space = SeparationSpace::new(colorant, process.into());
                    krilla::color::Color::from(krilla::color::separation::Color::new(255, space))
                        .into()
                }
                None => process.into(),
            }
        }
        _ => rgb::Color::new(color.rgb[0], color.rgb[1], color.rgb[2]).into(),
    }
}

fn fill_of(color: &Color, cmyk: bool) -> Fill {
    Fill {
        paint: paint_of(color, cmyk),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn stroke_of(color: &Color, width: Pt, cmyk: bool) -> Stroke {
    Stroke {
        paint: paint_of(color, cmyk),
        width: width.0,
        ..Stroke::default()
    }
}

/// A rectangle path with corners rounded by `radius` (cubic arcs). The path is krilla's,
/// in plain numbers (points).
fn rounded_rect(r: &Rect, radius: Pt) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let radius = radius.min(r.w / 2.0).min(r.h / 2.0).max(Pt::ZERO).0;
    if radius == 0.0 {
        pb.push_rect(krilla::geom::Rect::from_xywh(r.x.0, r.y.0, r.w.0, r.h.0)?);
        return pb.finish();
    }
    // Control-point distance for a quarter circle.
    let k = radius * 0.552_284_8;
    let (l, t, rt, b) = (r.x.0, r.y.0, r.right().0, r.bottom().0);
    pb.move_to(l + radius, t);
    pb.line_to(rt - radius, t);
    pb.cubic_to(rt - radius + k, t, rt, t + radius - k, rt, t + radius);
    pb.line_to(rt, b - radius);
    pb.cubic_to(rt, b - radius + k, rt - radius + k, b, rt - radius, b);
    pb.line_to(l + radius, b);
    pb.cubic_to(l + radius - k, b, l, b - radius + k, l, b - radius);
    pb.line_to(l, t + radius);
    pb.cubic_to(l, t + radius - k, l + radius - k, t, l + radius, t);
    pb.close();
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::structure::{Element, Node, Role};
    use crate::page::{GlyphRun, Page};

    fn ink() -> Color {
        Color {
            name: "ink".into(),
            rgb: [0, 0, 0],
            cmyk: Some([0, 0, 0, 100]),
            spot: None,
        }
    }

    /// A one-page document with one paragraph (id 7, from `field`) set as `glyphs`.
    /// "Hi" in Noto Sans at 12 pt, the contact block's one paragraph.
    fn hi_document(fonts: &FontBook) -> Document {
        let font = fonts.select("Noto Sans", 400, false).unwrap();
        let glyphs = crate::compose::text::in_em(
            crate::compose::text::shape("Hi", font, 12.0, 0.0, "en", false, fonts),
            Pt(12.0),
        );
        document(glyphs, "Hi", "blocks.contact.text")
    }

    fn document(glyphs: Vec<PlacedGlyph>, text: &str, field: &str) -> Document {
        let fonts = crate::compose::text::tests::fonts();
        let font = fonts.select("Noto Sans", 400, false).unwrap();
        Document {
            title: "Title".into(),
            author: "Author".into(),
            subject: "Subject".into(),
            lang: "en".into(),
            year: 2027,
            pages: vec![Page {
                width: Pt(200.0),
                height: Pt(100.0),
                items: vec![Item::Text(GlyphRun {
                    font,
                    size: Pt(12.0),
                    color: ink(),
                    x: Pt(10.0),
                    y: Pt(50.0),
                    text: text.into(),
                    glyphs,
                    para: Some(7),
                    outlined: false,
                })],
                regions: Vec::new(),
            }],
            outline: vec![crate::page::OutlineEntry {
                title: "Title".into(),
                page: 0,
                y: Pt::ZERO,
            }],
            print: None,
            structure: vec![Element {
                role: Role::Paragraph,
                lang: None,
                alt: None,
                field: Some(field.into()),
                actual_text: None,
                children: vec![Node::Text(7)],
            }],
        }
    }

    /// `text` in Noto Sans at 12 pt, as the contact block's one paragraph.
    fn text_document(fonts: &FontBook, text: &str) -> Document {
        let font = fonts.select("Noto Sans", 400, false).unwrap();
        let glyphs = crate::compose::text::in_em(
            crate::compose::text::shape(text, font, 12.0, 0.0, "en", false, fonts),
            Pt(12.0),
        );
        document(glyphs, text, "blocks.contact.text")
    }

    /// The one embedded TrueType font program of a PDF: its filter, and its bytes inflated.
    fn embedded_program(pdf: &[u8]) -> (Option<Vec<u8>>, Vec<u8>) {
        let pdf = lopdf::Document::load_mem(pdf).unwrap();
        let mut programs = pdf.objects.values().filter_map(|o| {
            let id = o
                .as_dict()
                .ok()?
                .get(b"FontFile2")
                .ok()?
                .as_reference()
                .ok()?;
            let stream = pdf.get_object(id).ok()?.as_stream().ok()?;
            let filter = stream.dict.get(b"Filter").and_then(lopdf::Object::as_name);
            Some((
                filter.ok().map(<[u8]>::to_vec),
                stream.decompressed_content().ok()?,
            ))
        });
        let program = programs.next().expect("a font program");
        assert!(programs.next().is_none(), "one font program");
        program
    }

    /// The writer remembers the font programs a run's documents share (the patched krilla's
    /// `program_memo`): a document whose glyphs, or their order, differ from a remembered
    /// program's still gets its own. Checked on the subsets themselves: how many glyphs,
    /// and each glyph's advance against the original face's.
    #[test]
    fn documents_sharing_a_font_each_embed_their_own_glyphs() {
        let fonts = crate::compose::text::tests::fonts();
        let original = fonts.select("Noto Sans", 400, false).unwrap();
        let original = fonts.face(original).parsed();
        // Written deflated (krilla leaves a screen file's program plain, for `pack` to slim
        // and deflate).
        let program = |text: &str| {
            let pdf = to_pdf(&text_document(fonts, text), fonts).unwrap();
            let (filter, program) = embedded_program(&pdf);
            assert_eq!(filter.as_deref(), Some(b"FlateDecode".as_slice()));
            program
        };
        // Seen three times: remembered from the second, recalled on the third.
        let recalls = krilla::text::program_memo_recalls();
        let first = program("Hi");
        assert_eq!(program("Hi"), first);
        assert_eq!(program("Hi"), first);
        assert!(
            krilla::text::program_memo_recalls() > recalls,
            "not recalled"
        );
        for text in ["Hi", "Hip", "iH", "pH"] {
            let subset = program(text);
            let subset = ttf_parser::Face::parse(&subset, 0).unwrap();
            assert_eq!(subset.number_of_glyphs() as usize, text.len() + 1, "{text}");
            // krilla numbers the kept glyphs in the order the text first uses them.
            for (new, c) in text.chars().enumerate() {
                let old = original.glyph_index(c).unwrap();
                assert_eq!(
                    subset.glyph_hor_advance(ttf_parser::GlyphId(new as u16 + 1)),
                    original.glyph_hor_advance(old),
                    "{text}: glyph {} is not {c:?}",
                    new + 1
                );
            }
        }
    }

    /// The patched krilla is the one built (`vendor/krilla`): it leaves a screen file's font
    /// program plain, for `pack` to slim and deflate, and deflates a print file's.
    #[test]
    fn krilla_writes_screen_programs_plain_and_print_programs_deflated() {
        let fonts = crate::compose::text::tests::fonts();
        let mut doc = text_document(fonts, "Hi");
        let filter = |file: Vec<u8>| embedded_program(&file).0;
        let screen = Conformance {
            accessible: true,
            archival: false,
        };
        assert_eq!(filter(krilla_file(&doc, fonts, screen).unwrap()), None);
        doc.print = Some(crate::page::PrintSetup {
            bleed: Pt(9.0),
            offset: Pt(36.0),
        });
        let print = krilla_file(&doc, fonts, Conformance::default()).unwrap();
        assert_eq!(filter(print), Some(b"FlateDecode".to_vec()));
    }

    /// A sheet showing a page as a group keeps the page's links, their areas carried
    /// through the group's transform and cut to its clip; a repeat (an artifact group)
    /// adds none. Tagged, the sheet passes krilla's PDF/UA-1 check.
    #[test]
    fn links_inside_a_group_are_kept_in_page_space() {
        let fonts = crate::compose::text::tests::fonts();
        let mut doc = hi_document(fonts);
        let mut items = std::mem::take(&mut doc.pages[0].items);
        items.push(Item::Link {
            rect: Rect {
                x: Pt(10.0),
                y: Pt(40.0),
                w: Pt(30.0),
                h: Pt(12.0),
            },
            url: "https://example.org/".into(),
        });
        let copy = |artifact: bool, x: Pt| {
            Item::Group(Group {
                // Cuts the link's right end off (it would reach x + 20).
                clip: Some(Rect {
                    x,
                    y: Pt(0.0),
                    w: Pt(15.0),
                    h: Pt(100.0),
                }),
                transform: Some(crate::page::Transform::scale_translate(0.5, x, Pt(50.0))),
                opacity: None,
                artifact,
                items: items.clone(),
            })
        };
        doc.pages[0].items = vec![copy(false, Pt(100.0)), copy(true, Pt(20.0))];
        doc.outline.clear();
        let pdf = sheets_to_pdf(&doc, fonts, false).unwrap();
        let pdf = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(pdf.catalog().unwrap().get(b"StructTreeRoot").is_ok());
        let page = pdf.get_pages()[&1];
        let annots = pdf.get_dictionary(page).unwrap().get(b"Annots").unwrap();
        let annots = annots.as_array().unwrap();
        assert_eq!(annots.len(), 1, "the artifact copy's link is dropped");
        let annot = pdf
            .get_dictionary(annots[0].as_reference().unwrap())
            .unwrap();
        let rect: Vec<f32> = annot
            .get(b"Rect")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_float().unwrap())
            .collect();
        // (10, 40) 30 × 12 at half size from (100, 50): x 105..120 (cut at the clip's
        // right, 115), y 70..76 down, which is 24..30 up a 100 pt page.
        let want = [105.0, 24.0, 115.0, 30.0];
        for (got, want) in rect.iter().zip(want) {
            assert!((got - want).abs() < 0.01, "{rect:?}");
        }
    }

    #[test]
    fn a_ua_violation_names_the_content_field() {
        let fonts = crate::compose::text::tests::fonts();
        let font = fonts.select("Noto Sans", 400, false).unwrap();
        let good = crate::compose::text::in_em(
            crate::compose::text::shape("Hi", font, 12.0, 0.0, "en", false, fonts),
            Pt(12.0),
        );
        assert!(to_pdf(&document(good.clone(), "Hi", "blocks.contact.text"), fonts).is_ok());
        // Glyph 0 (.notdef) is what a missing glyph would draw; PDF/UA forbids it.
        let mut bad = good;
        bad[1].id = 0;
        let error = to_pdf(&document(bad, "Hi", "blocks.contact.text"), fonts).unwrap_err();
        assert!(
            error.message.contains("PDF breaks the standard"),
            "{error:?}"
        );
        assert!(
            error.message.contains("in `blocks.contact.text`"),
            "{error:?}"
        );
        assert_eq!(error.field.as_deref(), Some("blocks.contact.text"));
    }

    #[test]
    fn drawn_text_without_a_place_in_the_structure_is_refused() {
        let fonts = crate::compose::text::tests::fonts();
        let mut doc = hi_document(fonts);
        doc.structure.clear();
        let error = to_pdf(&doc, fonts).unwrap_err();
        assert!(
            error.message.contains("no place in the document structure"),
            "{error:?}"
        );
    }
}
