//! Print preflight: inspects a composed document against its layout before it goes to
//! press — image resolution and colour, type size, hairlines, the safe zone, font
//! embedding permissions, and, on the colours as printed (the CMYK builds soft-proofed
//! through the output profile), text contrast, total ink and small reversed type — and
//! reports each finding with the edition, layout, frame and the number measured.

use crate::color::{Cmyk, Press, TEXT_BLACK, total_ink};
use crate::diag::Diagnostic;
use crate::fonts::{FontBook, FontId};
use crate::model::layout::{Frame, Layout, Side};
use crate::page::{Color, Document, GlyphRun, ImageData, ImageFormat, Item, Page, Rect};
use crate::resolve::Edition;
use crate::units::Pt;
use std::collections::BTreeMap;

/// Resolution a press needs at the size printed; below `MIN_PPI` an image prints visibly
/// soft, so it is an error rather than a warning.
const GOOD_PPI: f32 = 300.0;
const MIN_PPI: f32 = 150.0;
/// The thinnest stroke a press reliably holds.
const MIN_STROKE: Pt = Pt(0.25);
/// WCAG 2 AA contrast: normal text, and large text (18 pt, or 14 pt bold).
const AA_NORMAL: f32 = 4.5;
const AA_LARGE: f32 = 3.0;

/// Paper: no ink.
const PAPER: Cmyk = [0, 0, 0, 0];
/// Reversed type (lighter than the fill it is knocked out of) under this size fringes
/// where the fill's plates misregister.
const MIN_REVERSED_SIZE: Pt = Pt(9.0);
/// An ink at less than this coverage does not show as a fringe when it misregisters.
const VISIBLE_INK: u8 = 10;

/// Every preflight finding for `doc`, composed from `layout` for `edition` with its colours
/// separated for `press` (`color::separate_document`). Errors mean the document should
/// not go to press; warnings are for the designer or the shop.
pub fn check(
    doc: &Document,
    layout: &Layout,
    edition: &Edition,
    fonts: &FontBook,
    press: &Press,
) -> Vec<Diagnostic> {
    // Compose mirrors the layout for right-to-left editions; the frames' bleed sides and
    // positions must be read from the layout as it was drawn.
    let mirrored;
    let layout = if layout.mirror_rtl && crate::compose::text::is_rtl_language(&doc.lang) {
        mirrored = layout.mirrored();
        &mirrored
    } else {
        layout
    };
    let mut checker = Checker {
        layout,
        edition,
        fonts,
        press,
        findings: Vec::new(),
        worst_contrast: BTreeMap::new(),
        smallest_reversed: BTreeMap::new(),
    };
    for page in &doc.pages {
        for region in &page.regions {
            let frame = &layout.frames[region.frame];
            let items = &page.items[region.items.clone()];
            checker.images(frame, items);
            checker.text_size(frame, items);
            checker.hairlines(frame, items);
            checker.safe_zone(frame, page, items);
            checker.total_ink(frame, page, region.items.start, items);
            for (offset, item) in items.iter().enumerate() {
                if let Item::Text(run) = item {
                    checker.contrast_of(frame, page, region.items.start + offset, run);
                    checker.reversed(frame, page, region.items.start + offset, run);
                }
            }
        }
    }
    checker.embedding(doc);
    let mut findings = checker.findings;
    findings.extend(crate::compose::ink::findings(doc, layout, edition, fonts));
    findings.extend(checker.worst_contrast.into_values().map(|(_, d)| d));
    findings.extend(checker.smallest_reversed.into_values().map(|(_, d)| d));
    findings
}

struct Checker<'a> {
    layout: &'a Layout,
    edition: &'a Edition,
    fonts: &'a FontBook,
    press: &'a Press,
    findings: Vec<Diagnostic>,
    /// Contrast is measured run by run; each frame reports its lowest ratio only.
    worst_contrast: BTreeMap<usize, (f32, Diagnostic)>,
    /// Small reversed type, run by run; each frame reports its smallest size only.
    smallest_reversed: BTreeMap<usize, (Pt, Diagnostic)>,
}

impl Checker<'_> {
    /// "in frame `x` of layout `y`"
    fn place(&self, frame: &Frame) -> String {
        format!("frame `{}` of layout `{}`", frame.id, self.layout.name)
    }

    /// A finding about a frame, pointing at the frame in the layout file.
    fn about(frame: &Frame, d: Diagnostic) -> Diagnostic {
        d.at(frame.location.clone())
            .field(format!("frames[{}]", frame.index))
    }

    fn push(&mut self, frame: &Frame, d: Diagnostic) {
        self.findings.push(Self::about(frame, d));
    }

    /// Effective resolution at the placed size, and images a shop has to convert from RGB.
    fn images(&mut self, frame: &Frame, items: &[Item]) {
        for item in items {
            let Item::Image(placed) = item else { continue };
            let image = &placed.image;
            let (w_in, h_in) = (placed.rect.w.to_in(), placed.rect.h.to_in());
            let ppi = (image.width_px as f32 / w_in).min(image.height_px as f32 / h_in);
            if ppi < GOOD_PPI {
                let message = format!(
                    "image in {} is {:.0} ppi at its placed size of {:.2} × {:.2} in ({} × {} px; print needs {GOOD_PPI:.0} ppi, under {MIN_PPI:.0} is an error), edition {}",
                    self.place(frame),
                    ppi,
                    w_in,
                    h_in,
                    image.width_px,
                    image.height_px,
                    self.edition
                );
                let d = if ppi < MIN_PPI {
                    Diagnostic::error(message)
                } else {
                    Diagnostic::warning(message)
                };
                let hint = format!(
                    "supply an image of at least {:.0} × {:.0} px for this frame",
                    (w_in * GOOD_PPI).ceil(),
                    (h_in * GOOD_PPI).ceil()
                );
                self.push(frame, d.hint(hint));
            }
            if let Some(model) = rgb_model(image) {
                let d = Diagnostic::warning(format!(
                    "image in {} is {model}, edition {}; the print shop converts it to CMYK",
                    self.place(frame),
                    self.edition
                ))
                .hint(
                    "supply a CMYK JPEG (or a greyscale image) to control the conversion yourself",
                );
                self.push(frame, d);
            }
        }
    }

    /// Type smaller than the layout allows at its viewing distance: the smallest run.
    fn text_size(&mut self, frame: &Frame, items: &[Item]) {
        let rules = &self.layout.print;
        let fine = rules.fine_print.contains(&frame.index);
        let minimum = if fine {
            rules.min_fine_print_size
        } else {
            rules.min_text_size
        };
        let smallest = items
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) => Some(run.size),
                _ => None,
            })
            .fold(Pt(f32::INFINITY), Pt::min);
        // A hundredth of a point: fit policies land on sizes like 23.999.
        if smallest + Pt(0.01) < minimum {
            let d = Diagnostic::warning(format!(
                "text in {} is set at {:.1} pt, under the layout's {}minimum of {:.1} pt, edition {}",
                self.place(frame),
                smallest.0,
                if fine { "fine-print " } else { "" },
                minimum.0,
                self.edition
            ))
            .hint("shorten the text, enlarge the frame, or raise the style's `fit.min`");
            self.push(frame, d);
        }
    }

    /// Strokes thinner than a press holds: the thinnest in the frame.
    fn hairlines(&mut self, frame: &Frame, items: &[Item]) {
        let thinnest = items
            .iter()
            .filter_map(|i| match i {
                Item::Line { width, .. } => Some(*width),
                Item::Shape {
                    stroke: Some((_, width)),
                    ..
                } => Some(*width),
                _ => None,
            })
            .fold(Pt(f32::INFINITY), Pt::min);
        if thinnest < MIN_STROKE {
            let d = Diagnostic::warning(format!(
                "a stroke in {} is {:.2} pt wide, under the {} pt a press holds, edition {}",
                self.place(frame),
                thinnest.0,
                MIN_STROKE.0,
                self.edition
            ))
            .hint(format!(
                "make rules and borders at least {} pt wide",
                MIN_STROKE.0
            ));
            self.push(frame, d);
        }
    }

    /// Text must stay inside the safe zone; what a frame draws must too, except on the
    /// sides it declares to bleed.
    fn safe_zone(&mut self, frame: &Frame, page: &Page, items: &[Item]) {
        let safe_zone = self.layout.print.safe;
        let (w, h) = (page.width, page.height);
        // Distance of a box from the trim on each side; negative past the trim.
        let gaps = |r: &Rect| {
            [
                (Side::Top, r.y),
                (Side::Right, w - r.right()),
                (Side::Bottom, h - r.bottom()),
                (Side::Left, r.x),
            ]
        };
        let mut text_gap = Pt(f32::INFINITY);
        // The closest a frame's drawing comes to each side, for sides it does not bleed on.
        let mut drawing_gaps: Vec<(Side, Pt)> = Vec::new();
        for item in items {
            if let Item::Text(run) = item {
                if is_invisible(run) {
                    continue;
                }
                let ink = self.ink_box(run);
                text_gap = gaps(&ink).iter().map(|g| g.1).fold(text_gap, Pt::min);
                continue;
            }
            let Some(extent) = drawn_extent(item) else {
                continue;
            };
            for (side, gap) in gaps(&extent) {
                if frame.bleed.contains(&side) {
                    continue;
                }
                match drawing_gaps.iter_mut().find(|(s, _)| *s == side) {
                    Some((_, worst)) => *worst = worst.min(gap),
                    None => drawing_gaps.push((side, gap)),
                }
            }
        }
        // In messages, in points.
        let safe = safe_zone.0;
        if text_gap < safe_zone {
            let d = Diagnostic::error(format!(
                "text in {} {}, inside the {safe:.1} pt safe zone, edition {}",
                self.place(frame),
                describe_gap(text_gap),
                self.edition
            ))
            .hint("keep text at least the safe distance inside the trim: move the frame or add an inset");
            self.push(frame, d);
        }
        drawing_gaps.retain(|(_, gap)| *gap < safe_zone);
        if let Some(worst) = drawing_gaps.iter().map(|g| g.1).reduce(Pt::min) {
            let sides: Vec<String> = drawing_gaps
                .iter()
                .map(|(side, _)| format!("{side:?}").to_lowercase())
                .collect();
            let d = Diagnostic::warning(format!(
                "{} {} on the {} without declaring a bleed there (safe zone {safe:.1} pt), edition {}",
                self.place(frame),
                describe_gap(worst),
                sides.join(" and "),
                self.edition
            ))
            .hint(format!(
                "declare `bleed = [{}]` so its fill runs past the trim, or keep the frame {safe:.1} pt inside it",
                sides.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
            ));
            self.push(frame, d);
        }
    }

    /// The box a run's glyphs can ink: from the baseline up by the face's ascender and down
    /// by its descender, along the glyphs' advances.
    fn ink_box(&self, run: &GlyphRun) -> Rect {
        let face = self.fonts.face(run.font);
        let width = run.width();
        let top = run.y - face.ascender * run.size;
        Rect {
            x: run.x.min(run.x + width),
            y: top,
            w: width.abs(),
            h: (face.ascender - face.descender) * run.size,
        }
    }

    /// A colour's print build: as the separation step left it (`color::separate_document`
    /// runs before the preflight), else separated here.
    fn build(&self, c: &Color) -> Cmyk {
        c.cmyk.unwrap_or_else(|| self.press.separate(c.rgb))
    }

    /// The fill a run is read against: the topmost fill drawn before it that holds the
    /// run's letters (baseline to ascender: descenders may dip past a band's edge without
    /// the line being read against the paper); `None` for the paper.
    fn behind(&self, page: &Page, index: usize, run: &GlyphRun) -> Option<Color> {
        let mut letters = self.ink_box(run);
        letters.h = run.y - letters.y;
        page.items[..index]
            .iter()
            .rev()
            .find_map(|item| match item {
                Item::Shape {
                    rect,
                    fill: Some(fill),
                    ..
                } if holds(rect, &letters) => Some(fill.clone()),
                _ => None,
            })
    }

    /// Contrast of a run against what is behind it, both as printed: their CMYK builds
    /// soft-proofed through the output profile (text black overprints, so it prints as the
    /// fill's C, M and Y under 100 K). The screen ratio is given alongside.
    fn contrast_of(&mut self, frame: &Frame, page: &Page, index: usize, run: &GlyphRun) {
        if is_invisible(run) {
            return;
        }
        let behind = self.behind(page, index, run);
        let ground = behind.as_ref().map_or(PAPER, |c| self.build(c));
        let ratio = contrast_ratio(
            self.press
                .proof(printed_over(self.build(&run.color), ground)),
            self.press.proof(ground),
        );
        let weight = self.fonts.face(run.font).weight;
        let large = run.size >= Pt(18.0) || (run.size >= Pt(14.0) && weight >= 700);
        let needed = if large { AA_LARGE } else { AA_NORMAL };
        if ratio < needed {
            let on_screen = contrast_ratio(
                run.color.rgb,
                behind.as_ref().map_or([255, 255, 255], |c| c.rgb),
            );
            let d = Diagnostic::warning(format!(
                "text in {} has a contrast of {ratio:.2}:1 as printed ({} on {}; {on_screen:.2}:1 on screen), under the {needed}:1 WCAG AA needs for {} text, edition {}",
                self.place(frame),
                color_name(&run.color),
                behind.as_ref().map_or("paper".to_string(), color_name),
                if large { "large" } else { "normal" },
                self.edition
            ))
            .hint("darken the text colour or lighten the fill behind it (or the reverse); a colour whose build prints lighter than its screen colour can be left unpinned (no `cmyk`), to be separated through the profile");
            if self
                .worst_contrast
                .get(&frame.index)
                .is_none_or(|(worst, _)| ratio < *worst)
            {
                self.worst_contrast
                    .insert(frame.index, (ratio, Self::about(frame, d)));
            }
        }
    }

    /// Small reversed type: text under 9 pt that is lighter than the fill it is knocked
    /// out of, where the fill prints in more than one ink. The plates never register
    /// perfectly, and a fringe of one ink inside thin letters closes them up.
    fn reversed(&mut self, frame: &Frame, page: &Page, index: usize, run: &GlyphRun) {
        if is_invisible(run) || run.size >= MIN_REVERSED_SIZE {
            return;
        }
        let text = self.build(&run.color);
        // Overprinting text is not knocked out: nothing to misregister against.
        if text == TEXT_BLACK {
            return;
        }
        let Some(fill) = self.behind(page, index, run) else {
            return;
        };
        let ground = self.build(&fill);
        let inks = ground.iter().filter(|&&p| p >= VISIBLE_INK).count();
        if inks < 2 || self.press.lab(text)[0] <= self.press.lab(ground)[0] {
            return;
        }
        if self
            .smallest_reversed
            .get(&frame.index)
            .is_some_and(|(smallest, _)| *smallest <= run.size)
        {
            return;
        }
        let d = Diagnostic::warning(format!(
            "{:.1} pt text in {} is reversed out of {} ({inks} inks) in {}: under {} pt, misregistered plates fringe its letters, edition {}",
            run.size.0,
            self.place(frame),
            color_name(&fill),
            color_name(&run.color),
            MIN_REVERSED_SIZE.0,
            self.edition
        ))
        .hint(format!(
            "set reversed text at {} pt or more (bold helps), or put it on a fill of one ink or a spot colour",
            MIN_REVERSED_SIZE.0
        ));
        self.smallest_reversed
            .insert(frame.index, (run.size, Self::about(frame, d)));
    }

    /// Total ink: the most any of the frame's paint puts down, text black counted over the
    /// fill it overprints, against the profile's limit (the ink its own separation of
    /// black uses). More ink than the press is run for sets off and dries slowly.
    fn total_ink(&mut self, frame: &Frame, page: &Page, start: usize, items: &[Item]) {
        let limit = self.press.max_ink;
        let mut worst: Option<(u16, Cmyk, String)> = None;
        for (offset, item) in items.iter().enumerate() {
            let painted: Vec<(Cmyk, String)> = match item {
                Item::Shape { fill, stroke, .. } => fill
                    .iter()
                    .chain(stroke.iter().map(|(c, _)| c))
                    .map(|c| (self.build(c), color_name(c)))
                    .collect(),
                Item::Line { color, .. } => vec![(self.build(color), color_name(color))],
                Item::Text(run) if !is_invisible(run) => {
                    let ground = self
                        .behind(page, start + offset, run)
                        .map_or(PAPER, |c| self.build(&c));
                    vec![(
                        printed_over(self.build(&run.color), ground),
                        color_name(&run.color),
                    )]
                }
                _ => Vec::new(),
            };
            for (cmyk, name) in painted {
                let ink = total_ink(cmyk);
                if ink > limit && worst.as_ref().is_none_or(|(w, ..)| ink > *w) {
                    worst = Some((ink, cmyk, name));
                }
            }
        }
        if let Some((ink, cmyk, name)) = worst {
            let d = Diagnostic::warning(format!(
                "{} prints {name} with {ink}% total ink ({}), over the {limit}% the output profile separates to, edition {}",
                self.place(frame),
                show_cmyk(cmyk),
                self.edition
            ))
            .hint("leave the colour's `cmyk` out to separate it through the profile, or pin a build with less C, M and Y under the black");
            self.push(frame, d);
        }
    }

    /// Fonts whose licence (OS/2 fsType) forbids embedding them as the PDF does.
    fn embedding(&mut self, doc: &Document) {
        let mut used: BTreeMap<FontId, Option<usize>> = BTreeMap::new();
        for page in &doc.pages {
            for (i, item) in page.items.iter().enumerate() {
                if let Item::Text(run) = item {
                    let frame = page
                        .regions
                        .iter()
                        .find(|r| r.items.contains(&i))
                        .map(|r| r.frame);
                    let entry = used.entry(run.font).or_insert(frame);
                    if entry.is_none() {
                        *entry = frame;
                    }
                }
            }
        }
        for (font, frame) in used {
            let face = self.fonts.face(font);
            let Some(problem) = embedding_problem(face.parsed()) else {
                continue;
            };
            let file = face
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let user = frame.map_or("the print marks".to_string(), |f| {
                self.place(&self.layout.frames[f])
            });
            let d = Diagnostic::error(format!(
                "font {} ({file}), used in {user}, {problem}, edition {}",
                face.family, self.edition
            ))
            .in_file(&face.path)
            .hint("use a font whose licence allows embedding (fsType 0, or bit 3 \"editable\" / bit 2 \"print and preview\")");
            self.findings.push(d);
        }
    }
}

/// What a drawing item covers on the page (a stroke's half width included); `None` for
/// items that draw nothing.
fn drawn_extent(item: &Item) -> Option<Rect> {
    match item {
        Item::Shape { rect, stroke, .. } => {
            let half = stroke.as_ref().map_or(Pt::ZERO, |(_, w)| *w / 2.0);
            Some(Rect {
                x: rect.x - half,
                y: rect.y - half,
                w: rect.w + 2.0 * half,
                h: rect.h + 2.0 * half,
            })
        }
        Item::Line {
            from, to, width, ..
        } => {
            let half = *width / 2.0;
            let (x0, x1) = (from.0.min(to.0), from.0.max(to.0));
            let (y0, y1) = (from.1.min(to.1), from.1.max(to.1));
            // A rule's width runs across it; its length ends at its end points.
            let (dx, dy) = if y0 == y1 {
                (Pt::ZERO, half)
            } else {
                (half, Pt::ZERO)
            };
            Some(Rect {
                x: x0 - dx,
                y: y0 - dy,
                w: x1 - x0 + 2.0 * dx,
                h: y1 - y0 + 2.0 * dy,
            })
        }
        // The image shows only inside its clip.
        Item::Image(placed) => placed.rect.intersect(&placed.clip),
        // A group shows at most its clip; an unclipped group (none is composed) counts as none.
        Item::Group(group) => group.clip,
        Item::Text(_) | Item::Link { .. } => None,
    }
}

fn holds(outer: &Rect, inner: &Rect) -> bool {
    outer.x <= inner.x
        && outer.y <= inner.y
        && outer.right() >= inner.right()
        && outer.bottom() >= inner.bottom()
}

/// "comes within 3.2 pt of the trim", "reaches the trim", "runs 4.0 pt past the trim"
fn describe_gap(gap: Pt) -> String {
    let gap = gap.0;
    if gap > 0.05 {
        format!("comes within {gap:.1} pt of the trim")
    } else if gap > -0.05 {
        "reaches the trim (0.0 pt)".to_string()
    } else {
        format!("runs {:.1} pt past the trim into the bleed", -gap)
    }
}

fn color_name(c: &Color) -> String {
    let [r, g, b] = c.rgb;
    match c.cmyk {
        Some(cmyk) => format!("`{}` #{r:02x}{g:02x}{b:02x} → {}", c.name, show_cmyk(cmyk)),
        None => format!("`{}` #{r:02x}{g:02x}{b:02x}", c.name),
    }
}

/// "C0 M35 Y100 K30"
fn show_cmyk([c, m, y, k]: Cmyk) -> String {
    format!("C{c} M{m} Y{y} K{k}")
}

/// What a build prints as over `ground`: 100 K overprints (the fill's C, M and Y stay
/// under it); everything else knocks out.
fn printed_over(build: Cmyk, ground: Cmyk) -> Cmyk {
    if build == TEXT_BLACK {
        [ground[0], ground[1], ground[2], 100]
    } else {
        build
    }
}

/// The colour model of an RGB image ("an RGB PNG", "an RGB JPEG"), or `None` for
/// greyscale and CMYK images. Unreadable headers are left to the renderer to report.
fn rgb_model(image: &ImageData) -> Option<&'static str> {
    match image.format {
        ImageFormat::Png => {
            // Within the metadata budget compose already held the image to: the default
            // limits would inflate an ICC chunk of up to 512 MB here.
            let mut limits = image::Limits::default();
            limits.max_alloc = Some(crate::page::image_limits::MAX_METADATA_BYTES);
            let decoder = image::codecs::png::PngDecoder::with_limits(
                std::io::Cursor::new(image.bytes.as_slice()),
                limits,
            )
            .ok()?;
            use image::ImageDecoder;
            let colour = decoder.color_type();
            colour.has_color().then_some(if colour.has_alpha() {
                "an RGBA PNG"
            } else {
                "an RGB PNG"
            })
        }
        ImageFormat::Jpeg => {
            // image reports CMYK JPEGs as RGB (it converts them when decoding), so the
            // colour space is read from the frame header with zune-jpeg, which it uses.
            let mut decoder =
                zune_jpeg::JpegDecoder::new(std::io::Cursor::new(image.bytes.as_slice()));
            decoder.decode_headers().ok()?;
            use zune_jpeg::zune_core::colorspace::ColorSpace;
            match decoder.input_colorspace()? {
                ColorSpace::RGB | ColorSpace::RGBA | ColorSpace::YCbCr => Some("an RGB JPEG"),
                _ => None,
            }
        }
        // Separated through the output profile already.
        ImageFormat::Cmyk => None,
    }
}

/// Why a face's OS/2 fsType forbids embedding it as broadside does (a subset of its
/// outlines), or `None` when it may be embedded.
pub fn embedding_problem(face: &ttf_parser::Face) -> Option<String> {
    let fs_type = face
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"OS/2"))
        .and_then(|os2| os2.get(8..10))
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    match face.permissions() {
        Some(ttf_parser::Permissions::Restricted) => {
            return Some(format!(
                "may not be embedded (fsType {fs_type:#06x}: restricted licence)"
            ));
        }
        None if face.tables().os2.is_some() => {
            return Some(format!("has an invalid fsType {fs_type:#06x}"));
        }
        _ => {}
    }
    if face.tables().os2.is_some() && !face.is_outline_embedding_allowed() {
        return Some(format!(
            "allows only bitmap embedding (fsType {fs_type:#06x})"
        ));
    }
    if face.tables().os2.is_some() && !face.is_subsetting_allowed() {
        return Some(format!(
            "may not be subset, and the PDF embeds subsets (fsType {fs_type:#06x})"
        ));
    }
    None
}

/// WCAG 2 contrast ratio of two sRGB colours, from 1:1 to 21:1.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f32 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG 2 relative luminance of an sRGB colour.
fn relative_luminance(rgb: [u8; 3]) -> f32 {
    let linear = |c: u8| {
        let c = c as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// A run that draws nothing: the zero-width space compose keeps at a line's end for text
/// extraction, set in a fallback font when the line's font has no space.
fn is_invisible(run: &GlyphRun) -> bool {
    run.glyphs.iter().all(|g| g.x_advance_em == 0.0) && run.text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!((contrast_ratio([255, 255, 255], [255, 255, 255]) - 1.0).abs() < 0.001);
        // #767676 on white is the lightest grey that passes AA (4.54:1).
        let grey = contrast_ratio([0x76, 0x76, 0x76], [255, 255, 255]);
        assert!((grey - 4.54).abs() < 0.01, "{grey}");
    }

    fn noto_sans() -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSans-Regular.ttf"),
        )
        .unwrap()
    }

    /// The font with its OS/2 fsType (offset 8 of the table) replaced.
    fn with_fs_type(fs_type: u16) -> Vec<u8> {
        let mut bytes = noto_sans();
        let face = ttf_parser::Face::parse(&bytes, 0).unwrap();
        let os2 = face
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"OS/2"))
            .unwrap();
        let offset = os2.as_ptr() as usize - bytes.as_ptr() as usize;
        bytes[offset + 8..offset + 10].copy_from_slice(&fs_type.to_be_bytes());
        bytes
    }

    #[test]
    fn fs_type_decides_embedding() {
        let check = |fs_type: u16| {
            let bytes = with_fs_type(fs_type);
            embedding_problem(&ttf_parser::Face::parse(&bytes, 0).unwrap())
        };
        assert_eq!(check(0x0000), None, "installable");
        assert_eq!(check(0x0004), None, "print and preview");
        assert_eq!(check(0x0008), None, "editable");
        assert!(check(0x0002).unwrap().contains("restricted"));
        assert!(check(0x0208).unwrap().contains("bitmap"));
        assert!(check(0x0108).unwrap().contains("subset"));
    }

    fn image(relative: &str) -> ImageData {
        ImageData::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
    }

    #[test]
    fn rgb_images_are_told_from_grey_and_cmyk() {
        let model = |path: &str| rgb_model(&image(path));
        let fixtures = "tests/fixtures";
        assert_eq!(
            model(&format!("{fixtures}/linked-campaign/logos/testa.png")),
            Some("an RGBA PNG")
        );
        assert_eq!(
            model(&format!("{fixtures}/linked-campaign/logos/jaypeg.jpg")),
            Some("an RGB JPEG")
        );
        let logos = format!("{fixtures}/preflight/content/preflight/logos");
        assert_eq!(model(&format!("{logos}/seal-72px.png")), None, "greyscale");
        assert_eq!(model(&format!("{logos}/cmyk-16px.jpg")), None, "CMYK JPEG");
    }
}
