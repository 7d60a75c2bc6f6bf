//! What a frame draws besides its text: its image (placed, fitted, clipped) and its
//! decoration (fill, border, rules), bleeding past the trim where the layout says.

use super::*;

impl Composer<'_> {
    pub(super) fn place_image(&mut self, frame: &Frame, key: &str, out: &mut Vec<Item>) {
        debug_assert_eq!(key, "logo");
        let Some(logo) = &self.resolved.logo else {
            return; // editions without a logo leave the frame empty
        };
        let image = match ImageData::load(&logo.path) {
            Ok(image) => image,
            Err(message) => {
                let county = self.resolved.edition.county.as_ref();
                let mut d = Diagnostic::error(format!(
                    "{message} (logo of edition {})",
                    self.resolved.edition
                ))
                .field("logo");
                if let Some(c) = county {
                    d = d.at(c.location.clone());
                }
                self.state
                    .problems
                    .push(d.hint("fix the `logo` cell of the county sheet"));
                return;
            }
        };
        // A tile whose top stands on a frame's first capitals (`top_level_with`): moved
        // whole, by no more than its own height, so a county's mark starts on the
        // sign-off's first line wherever the text set it.
        if let Some(level) = frame
            .top_level_with
            .and_then(|j| self.state.first_cap_top[j])
        {
            let rect = &mut self.state.rects[frame.index];
            rect.y.0 += (level - rect.y.0).clamp(-rect.h.0, rect.h.0);
        }
        let area = self.area(frame);
        let rect = fit_image(area, image.width_px, image.height_px, frame.fit);
        let location = self
            .resolved
            .edition
            .county
            .as_ref()
            .map(|c| c.location.clone());
        let ppi = image.width_px as f32 / rect.w.to_in();
        if !ppi.is_finite() {
            let mut d = Diagnostic::error(format!(
                "frame `{}` of layout `{}` leaves no room for the logo of edition {}",
                frame.id, self.layout.name, self.resolved.edition
            ))
            .hint("make the frame larger than its inset");
            if let Some(at) = location {
                d = d.at(at);
            }
            self.state.problems.push(d);
            return;
        }
        // Pixels beyond what any press resolves only weigh down the file: an image finer
        // than MAX_PPI where it lands (a county's 2000 px seal in a logo tile under an inch
        // wide) is resampled to MAX_PPI at its placed size, as a layout program's PDF
        // export does. The placed rectangle stays the one the full image gave.
        let image = if ppi > image_limits::MAX_PPI {
            let (width, height) = most_pixels(&image, rect);
            match image.downsampled(width, height) {
                Ok(smaller) => smaller,
                Err(why) => {
                    let mut d = Diagnostic::error(format!(
                        "image `{}` {why} (logo of edition {}, {ppi:.0} ppi in frame `{}` of layout `{}`, above the {} ppi broadside embeds)",
                        logo.path.display(),
                        self.resolved.edition,
                        frame.id,
                        self.layout.name,
                        image_limits::MAX_PPI
                    ))
                    .field("logo")
                    .hint("fix the `logo` cell of the county sheet");
                    if let Some(at) = location {
                        d = d.at(at);
                    }
                    self.state.problems.push(d);
                    return;
                }
            }
        } else {
            Arc::new(image)
        };
        out.push(Item::Image(PlacedImage {
            clip: area,
            rect,
            image,
            // A decorative logo frame (a repeat) is an artifact, like a declared-decorative logo.
            alt: logo.alt.clone().filter(|_| !frame.decorative),
        }));
    }
}

/// The pixels an image placed at `rect` has at [`image_limits::MAX_PPI`]: as wide as that
/// allows, as tall as its aspect then gives (and no taller than the cap allows), at least one.
fn most_pixels(image: &ImageData, rect: Rect) -> (u32, u32) {
    let cap = |length: Pt| (f64::from(image_limits::MAX_PPI) * f64::from(length.0) / 72.0).floor();
    let width = cap(rect.w).clamp(1.0, f64::from(image.width_px));
    let tall = f64::from(image.height_px) * width / f64::from(image.width_px);
    let height = tall
        .round()
        .min(cap(rect.h))
        .clamp(1.0, f64::from(image.height_px));
    (width as u32, height as u32)
}

/// Where an image of `width_px`×`height_px` lands in `area`, centred: whole and as large as
/// fits (`contain`), or filling the area and cropped by it (`cover`). Aspect is kept.
pub(super) fn fit_image(area: Rect, width_px: u32, height_px: u32, fit: ImageFit) -> Rect {
    let (iw, ih) = (width_px as f32, height_px as f32);
    let scale = match fit {
        ImageFit::Contain => (area.w.0 / iw).min(area.h.0 / ih),
        ImageFit::Cover => (area.w.0 / iw).max(area.h.0 / ih),
    };
    // The image's size in points: its pixels at `scale` points each.
    let (w, h) = (Pt(iw * scale), Pt(ih * scale));
    Rect {
        x: area.x + (area.w - w) / 2.0,
        y: area.y + (area.h - h) / 2.0,
        w,
        h,
    }
}

/// Frame fills, borders and rules, around `at` (the frame's area in this edition). A fill
/// that bleeds on a side runs past the trim by the layout's bleed, so trimming never leaves
/// a white sliver.
pub(super) fn decorate(frame: &Frame, at: Rect, layout: &Layout, page: &mut Page) {
    let mut rect = at;
    let bleed = layout.bleed;
    for side in &frame.bleed {
        match side {
            Side::Top => {
                rect.h += rect.y + bleed;
                rect.y = -bleed;
            }
            Side::Left => {
                rect.w += rect.x + bleed;
                rect.x = -bleed;
            }
            Side::Bottom => rect.h = layout.height + bleed - rect.y,
            Side::Right => rect.w = layout.width + bleed - rect.x,
        }
    }
    let stroke = frame.border.clone();
    if frame.fill.is_some() || stroke.is_some() {
        page.items.push(Item::Shape {
            rect,
            radius: frame.radius,
            fill: frame.fill.clone(),
            stroke,
        });
    }
    for rule in &frame.rules {
        let r = at;
        let half = rule.width / 2.0;
        let (from, to) = match rule.side {
            Side::Top => ((r.x, r.y + half), (r.right(), r.y + half)),
            Side::Bottom => ((r.x, r.bottom() - half), (r.right(), r.bottom() - half)),
            Side::Left => ((r.x + half, r.y), (r.x + half, r.bottom())),
            Side::Right => ((r.right() - half, r.y), (r.right() - half, r.bottom())),
        };
        page.items.push(Item::Line {
            from,
            to,
            color: rule.color.clone(),
            width: rule.width,
            dash: None,
        });
    }
}
