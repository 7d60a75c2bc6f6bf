//! Render: `Document` → PDF bytes with krilla (subset fonts, real text, links, outline,
//! metadata), and PDF → PNG previews with hayro. Render makes no layout decisions.

use crate::compose::{Document, ImageFormat, Item, text::PlacedGlyph};
use crate::fonts::FontBook;
use crate::model::layout::{Color, Rect};
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{Path, PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Glyph, GlyphId};
use std::ops::Range;

/// Our glyphs carry advances in points at the run's size; krilla asks for them at any size
/// (it calls with 1.0 to get em units), so scale by `size / run_size`.
struct PdfGlyph<'a> {
    glyph: &'a PlacedGlyph,
    run_size: f32,
}

impl Glyph for PdfGlyph<'_> {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.glyph.id))
    }
    fn text_range(&self) -> Range<usize> {
        self.glyph.range.clone()
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.glyph.x_advance / self.run_size * size
    }
    fn x_offset(&self, size: f32) -> f32 {
        self.glyph.x_offset / self.run_size * size
    }
    fn y_offset(&self, size: f32) -> f32 {
        self.glyph.y_offset / self.run_size * size
    }
    fn y_advance(&self, _size: f32) -> f32 {
        0.0
    }
    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

/// Writes the document as PDF. The same document always gives the same bytes: dates come
/// from the kit's year and krilla derives the file ID from the content.
pub fn to_pdf(doc: &Document, fonts: &FontBook) -> Result<Vec<u8>, String> {
    // Print files are PDF 1.6 without device RGB, for the PDF/X-4 step (`pdfx`).
    let mut pdf = match doc.print {
        Some(_) => krilla::Document::new_with(crate::pdfx::krilla_settings()),
        None => krilla::Document::new(),
    };
    let mut links_per_page = Vec::new();
    // Print pages grow by the marks margin on every side; the trim sits at (offset, offset)
    // with the bleed box around it. Screen pages are the trim.
    let offset = doc.print.map_or(0.0, |p| p.offset);
    let cmyk = doc.print.is_some();
    for page in &doc.pages {
        let (w, h) = (page.width + 2.0 * offset, page.height + 2.0 * offset);
        let mut settings = PageSettings::new(Size::from_wh(w, h).ok_or("page has no area")?);
        if let Some(print) = doc.print {
            let b = print.bleed;
            let rect = |x: f32, y: f32, w: f32, h: f32| krilla::geom::Rect::from_xywh(x, y, w, h);
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
        surface.push_transform(&Transform::from_translate(offset, offset));
        let links = draw_items(&mut surface, &page.items, fonts, cmyk)?;
        surface.pop();
        surface.finish();
        for (rect, url) in &links {
            let Some(r) =
                krilla::geom::Rect::from_xywh(rect.x + offset, rect.y + offset, rect.w, rect.h)
            else {
                continue;
            };
            let target = Target::Action(LinkAction::new(url.clone()).into());
            pdf_page.add_annotation(Annotation::new_link(
                LinkAnnotation::new(r, target),
                Some(format!("Link to {url}")),
            ));
        }
        pdf_page.finish();
        links_per_page.push(links.len());
    }

    let mut outline = Outline::new();
    for entry in &doc.outline {
        outline.push_child(OutlineNode::new(
            entry.title.clone(),
            XyzDestination::new(entry.page, Point::from_xy(0.0, entry.y.max(0.0))),
        ));
    }
    pdf.set_outline(outline);
    let year = u16::try_from(doc.year).unwrap_or(2000);
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .authors(vec![doc.author.clone()])
            .description(doc.subject.clone())
            .language(doc.lang.clone())
            .creator(format!("broadside {}", env!("CARGO_PKG_VERSION")))
            // The kit is dated the first of its year, not the wall clock, so rebuilds match.
            .creation_date(DateTime::new(year).month(1).day(1)),
    );
    pdf.finish()
        .map_err(|e| format!("the PDF writer refused the document: {e:?}"))
}

/// Draws display-list items on a surface, in trim coordinates, painting palette colours in
/// DeviceCMYK when `cmyk` (print) and RGB otherwise. Links are not drawn but returned, in
/// the same coordinates, for the caller to annotate.
pub(crate) fn draw_items(
    surface: &mut Surface,
    items: &[Item],
    fonts: &FontBook,
    cmyk: bool,
) -> Result<Vec<(Rect, String)>, String> {
    let fill_of = |c: &Color| fill_of(c, cmyk);
    let stroke_of = |c: &Color, w: f32| stroke_of(c, w, cmyk);
    let mut links = Vec::new();
    for item in items {
        match item {
            Item::Shape {
                rect,
                radius,
                fill,
                stroke,
            } => {
                let Some(path) = rounded_rect(rect, *radius) else {
                    continue;
                };
                surface.set_fill(fill.as_ref().map(&fill_of));
                surface.set_stroke(stroke.as_ref().map(|(c, w)| stroke_of(c, *w)));
                surface.draw_path(&path);
            }
            Item::Line {
                from,
                to,
                color,
                width,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(from.0, from.1);
                pb.line_to(to.0, to.1);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(stroke_of(color, *width)));
                    surface.draw_path(&path);
                }
            }
            Item::Text(run) => {
                let glyphs: Vec<PdfGlyph> = run
                    .glyphs
                    .iter()
                    .map(|glyph| PdfGlyph {
                        glyph,
                        run_size: run.size,
                    })
                    .collect();
                surface.set_stroke(None);
                surface.set_fill(Some(fill_of(&run.color)));
                surface.draw_glyphs(
                    Point::from_xy(run.x, run.y),
                    &glyphs,
                    fonts.face(run.font).pdf_font(),
                    &run.text,
                    run.size,
                    false,
                );
            }
            Item::Image(placed) => draw_image(surface, placed)?,
            Item::Link { rect, url } => links.push((*rect, url.clone())),
        }
    }
    Ok(links)
}

fn draw_image(surface: &mut Surface, placed: &crate::compose::PlacedImage) -> Result<(), String> {
    let data: krilla::Data = placed.image.bytes.clone().into();
    let image = match placed.image.format {
        // JPEG goes into the PDF as it is (DCTDecode), never re-encoded.
        ImageFormat::Jpeg => Image::from_jpeg(data, true),
        ImageFormat::Png => Image::from_png(data, true),
    }?;
    let clip = rounded_rect(&placed.clip, 0.0).ok_or("image frame has no area")?;
    surface.push_clip_path(&clip, &FillRule::NonZero);
    surface.push_transform(&Transform::from_translate(placed.rect.x, placed.rect.y));
    surface.draw_image(
        image,
        Size::from_wh(placed.rect.w, placed.rect.h).ok_or("image has no area")?,
    );
    surface.pop();
    surface.pop();
    Ok(())
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

fn stroke_of(color: &Color, width: f32, cmyk: bool) -> Stroke {
    Stroke {
        paint: paint_of(color, cmyk),
        width,
        ..Stroke::default()
    }
}

/// A rectangle path with corners rounded by `radius` (cubic arcs).
fn rounded_rect(r: &Rect, radius: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let radius = radius.min(r.w / 2.0).min(r.h / 2.0).max(0.0);
    if radius == 0.0 {
        pb.push_rect(krilla::geom::Rect::from_xywh(r.x, r.y, r.w, r.h)?);
        return pb.finish();
    }
    // Control-point distance for a quarter circle.
    let k = radius * 0.552_284_8;
    let (l, t, rt, b) = (r.x, r.y, r.right(), r.bottom());
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

/// Renders every page of a PDF to PNG bytes at `dpi`, on white.
pub fn preview_png(pdf_bytes: Vec<u8>, dpi: f32) -> Result<Vec<Vec<u8>>, String> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    let pdf = Pdf::new(pdf_bytes).map_err(|e| format!("cannot read PDF for preview: {e:?}"))?;
    let cache = hayro::RenderCache::new();
    let scale = dpi / 72.0;
    let settings = hayro::PixmapSettings {
        x_scale: scale,
        y_scale: scale,
        bg_color: WHITE,
    };
    pdf.pages()
        .iter()
        .map(|page| {
            let pixmap = hayro::render(
                page,
                &cache,
                &InterpreterSettings::default(),
                &hayro::RenderSettings::default(),
                &settings,
            );
            pixmap
                .into_png()
                .map_err(|e| format!("cannot encode PNG: {e:?}"))
        })
        .collect()
}
