//! Poster tiling (`build --tile letter|tabloid|a4`): splits each page too big for an office
//! printer over overlapping sheets. Each sheet carries a vector copy of its part of the page
//! (the display list drawn again under a clip and a shift, never a raster), crop marks at
//! the copy's edges, alignment crosses and glue bars where each neighbour's edge falls, and
//! a label naming the sheet; an assembly sheet first shows the whole page with the grid.

use crate::compose::marks::{Anchor, text_run};
use crate::diag::Diagnostic;
use crate::fonts::FontBook;
use crate::page::{Color, Dash, Document, Group, Item, OutlineEntry, Page, Rect, Transform};
use crate::units::{PT_PER_IN, PT_PER_MM, Pt};
use std::fmt;
use std::str::FromStr;

/// The edge an office printer cannot print on (most leave 0.17–0.25 in).
pub const MARGIN: Pt = Pt(0.25 * PT_PER_IN);
/// Printable room kept around the copy for the marks and the label, so nothing is ever
/// drawn over the poster itself and the overlaps of neighbours match exactly.
pub const GUTTER: Pt = Pt(0.25 * PT_PER_IN);
/// A page that prints whole on one sheet at this scale or more (the printer's "fit to
/// page": a Letter flyer on Letter or A4 paper) is not tiled.
pub const MIN_FIT_SCALE: f32 = 0.9;

/// Crop marks and alignment marks start this far outside the copy and run this long.
const MARK_GAP: Pt = Pt(3.0);
const MARK_LENGTH: Pt = Pt(12.0);
/// Arm length of an alignment cross.
const CROSS_ARM: Pt = Pt(4.5);
/// Thin enough to cut along precisely, thick enough for a 300 dpi office printer.
const MARK_WIDTH: Pt = Pt(0.5);
const LABEL_SIZE: Pt = Pt(8.0);

/// A paper size an office printer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sheet {
    Letter,
    Tabloid,
    A4,
}

impl Sheet {
    pub fn name(self) -> &'static str {
        match self {
            Sheet::Letter => "letter",
            Sheet::Tabloid => "tabloid",
            Sheet::A4 => "a4",
        }
    }

    /// Width and height in points, portrait.
    pub fn size(self) -> (Pt, Pt) {
        match self {
            Sheet::Letter => (Pt(8.5 * PT_PER_IN), Pt(11.0 * PT_PER_IN)),
            Sheet::Tabloid => (Pt(11.0 * PT_PER_IN), Pt(17.0 * PT_PER_IN)),
            Sheet::A4 => (Pt(210.0 * PT_PER_MM), Pt(297.0 * PT_PER_MM)),
        }
    }

    fn display_name(self) -> &'static str {
        match self {
            Sheet::Letter => "Letter",
            Sheet::Tabloid => "Tabloid",
            Sheet::A4 => "A4",
        }
    }
}

impl FromStr for Sheet {
    type Err = String;
    fn from_str(text: &str) -> Result<Sheet, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "letter" => Ok(Sheet::Letter),
            "tabloid" => Ok(Sheet::Tabloid),
            "a4" => Ok(Sheet::A4),
            _ => Err(format!(
                "`{text}` is not a sheet size for tiling; use letter, tabloid or a4"
            )),
        }
    }
}

impl fmt::Display for Sheet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to tile onto: the sheet and how far neighbouring sheets overlap, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileSpec {
    pub sheet: Sheet,
    pub overlap: Pt,
}

/// Whether a `width` × `height` page prints on one sheet without tiling: scaled into the
/// sheet's printable area, in either orientation, it keeps at least [`MIN_FIT_SCALE`].
pub fn fits_on_one_sheet(width: Pt, height: Pt, sheet: Sheet) -> bool {
    let (w, h) = sheet.size();
    let (pw, ph) = (w - 2.0 * MARGIN, h - 2.0 * MARGIN);
    let scale = |across: Pt, down: Pt| (across / width).min(down / height).min(1.0);
    scale(pw, ph).max(scale(ph, pw)) >= MIN_FIT_SCALE
}

/// How a page is cut into sheets: `rows` × `columns` tiles, each `tile_width` ×
/// `tile_height` points of the page, neighbours sharing `overlap` points. Tiles are equal
/// (the slack of the last row and column is spread over all of them) and sit centred on
/// their sheet, so the copy is at the same place on every sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// The sheet as printed (landscape sheets are wider than tall).
    pub sheet_width: Pt,
    pub sheet_height: Pt,
    pub rows: usize,
    pub columns: usize,
    pub tile_width: Pt,
    pub tile_height: Pt,
    pub overlap: Pt,
    pub page_width: Pt,
    pub page_height: Pt,
}

impl Grid {
    /// The grid for a `page_width` × `page_height` page, on portrait or landscape sheets,
    /// whichever needs fewer (portrait on a tie).
    pub fn plan(page_width: Pt, page_height: Pt, spec: TileSpec) -> Result<Grid, Diagnostic> {
        let (w, h) = spec.sheet.size();
        let portrait = Self::oriented(page_width, page_height, w, h, spec.overlap);
        let landscape = Self::oriented(page_width, page_height, h, w, spec.overlap);
        match (portrait, landscape) {
            (Some(p), Some(l)) if l.sheets() < p.sheets() => Ok(l),
            (Some(p), _) => Ok(p),
            (None, Some(l)) => Ok(l),
            (None, None) => Err(Diagnostic::error(format!(
                "an overlap of {:.2} in leaves no room on a {} sheet, whose copy area is {:.2} × {:.2} in",
                spec.overlap.to_in(),
                spec.sheet.display_name(),
                (w - 2.0 * (MARGIN + GUTTER)).to_in(),
                (h - 2.0 * (MARGIN + GUTTER)).to_in(),
            ))
            .field("--tile-overlap")
            .hint("give a smaller overlap, or tile on a larger sheet")),
        }
    }

    fn oriented(
        page_width: Pt,
        page_height: Pt,
        sheet_width: Pt,
        sheet_height: Pt,
        overlap: Pt,
    ) -> Option<Grid> {
        let room_across = sheet_width - 2.0 * (MARGIN + GUTTER);
        let room_down = sheet_height - 2.0 * (MARGIN + GUTTER);
        let columns = tiles_along(page_width, room_across, overlap)?;
        let rows = tiles_along(page_height, room_down, overlap)?;
        // Equal tiles: n of them cover the length plus the n - 1 shared strips.
        let share = |length: Pt, n: usize| (length + (n - 1) as f32 * overlap) / n as f32;
        Some(Grid {
            sheet_width,
            sheet_height,
            rows,
            columns,
            tile_width: share(page_width, columns),
            tile_height: share(page_height, rows),
            overlap,
            page_width,
            page_height,
        })
    }

    pub fn sheets(&self) -> usize {
        self.rows * self.columns
    }

    pub fn landscape(&self) -> bool {
        self.sheet_width > self.sheet_height
    }

    /// The part of the page on the sheet at `row`, `column` (0-based), in page coordinates.
    pub fn source(&self, row: usize, column: usize) -> Rect {
        Rect {
            x: column as f32 * (self.tile_width - self.overlap),
            y: row as f32 * (self.tile_height - self.overlap),
            w: self.tile_width,
            h: self.tile_height,
        }
    }

    /// Where the copy lands on every sheet, in sheet coordinates.
    pub fn window(&self) -> Rect {
        Rect {
            x: (self.sheet_width - self.tile_width) / 2.0,
            y: (self.sheet_height - self.tile_height) / 2.0,
            w: self.tile_width,
            h: self.tile_height,
        }
    }

    /// The label printed on a sheet, e.g. "row 2, column 1 of 4×2" (rows × columns).
    pub fn label(&self, row: usize, column: usize) -> String {
        format!(
            "row {}, column {} of {}×{}",
            row + 1,
            column + 1,
            self.rows,
            self.columns
        )
    }
}

/// How many tiles of `room` cover `length` when neighbours share `overlap`; `None` when
/// the overlap leaves no room for progress.
fn tiles_along(length: Pt, room: Pt, overlap: Pt) -> Option<usize> {
    if room <= overlap {
        return None;
    }
    if length <= room {
        return Some(1);
    }
    // n tiles reach n·room − (n−1)·overlap; a hair of slack absorbs float rounding.
    Some(((length - overlap) / (room - overlap) - 1e-4).ceil() as usize)
}

/// The marks of the sheet at `row`, `column`, in sheet coordinates, all outside the copy:
/// crop marks at its corners; for each neighbour a light bar in the gutter over the strip
/// the two sheets share and a cross where the neighbour's edge falls; and dashed cut lines
/// along the left and top edges that are cut off before the sheet is laid over its
/// neighbours.
pub struct SheetMarks {
    pub items: Vec<Item>,
    pub cut_lines: Vec<((Pt, Pt), (Pt, Pt))>,
}

pub fn sheet_marks(grid: &Grid, row: usize, column: usize, cmyk: bool) -> SheetMarks {
    let ink = mark_ink(cmyk);
    let glue = glue_tint();
    let win = grid.window();
    let (left, top, right, bottom) = (win.x, win.y, win.right(), win.bottom());
    let mut items = Vec::new();
    let mut line = |from: (Pt, Pt), to: (Pt, Pt)| {
        items.push(Item::Line {
            from,
            to,
            color: ink.clone(),
            width: MARK_WIDTH,
            dash: None,
        })
    };
    let (near, far) = (MARK_GAP, MARK_GAP + MARK_LENGTH);
    for (x, y, sx, sy) in [
        (left, top, -1.0, -1.0),
        (right, top, 1.0, -1.0),
        (left, bottom, -1.0, 1.0),
        (right, bottom, 1.0, 1.0),
    ] {
        line((x + sx * near, y), (x + sx * far, y));
        line((x, y + sy * near), (x, y + sy * far));
    }
    let o = grid.overlap;
    let mid = MARK_GAP + MARK_LENGTH / 2.0;
    let mut crosses = Vec::new();
    let mut bars = Vec::new();
    // Columns: a neighbour on the left shares [left, left + o], on the right [right - o, right].
    let mut shared_columns = Vec::new();
    if column > 0 {
        shared_columns.push((left, left + o, left + o));
    }
    if column + 1 < grid.columns {
        shared_columns.push((right - o, right, right - o));
    }
    for (from, to, edge) in shared_columns {
        for (y, bar_y) in [(top - mid, top - far), (bottom + mid, bottom + near)] {
            crosses.push((edge, y));
            bars.push(Rect {
                x: from,
                y: bar_y,
                w: to - from,
                h: MARK_LENGTH,
            });
        }
    }
    let mut shared_rows = Vec::new();
    if row > 0 {
        shared_rows.push((top, top + o, top + o));
    }
    if row + 1 < grid.rows {
        shared_rows.push((bottom - o, bottom, bottom - o));
    }
    for (from, to, edge) in shared_rows {
        for (x, bar_x) in [(left - mid, left - far), (right + mid, right + near)] {
            crosses.push((x, edge));
            bars.push(Rect {
                x: bar_x,
                y: from,
                w: MARK_LENGTH,
                h: to - from,
            });
        }
    }
    // Bars first, so crosses and crop marks sit on top of them.
    let mut marks: Vec<Item> = bars
        .into_iter()
        .map(|rect| Item::Shape {
            rect,
            radius: Pt::ZERO,
            fill: Some(glue.clone()),
            stroke: None,
        })
        .collect();
    for (x, y) in crosses {
        marks.push(Item::Line {
            from: (x - CROSS_ARM, y),
            to: (x + CROSS_ARM, y),
            color: ink.clone(),
            width: MARK_WIDTH,
            dash: None,
        });
        marks.push(Item::Line {
            from: (x, y - CROSS_ARM),
            to: (x, y + CROSS_ARM),
            color: ink.clone(),
            width: MARK_WIDTH,
            dash: None,
        });
    }
    marks.append(&mut items);
    // A line width outside the copy (0.1 mm of paper): the dashes never touch the copy,
    // even where a low-resolution renderer widens them to a whole pixel.
    let outside = MARK_WIDTH;
    let mut cut_lines = Vec::new();
    if column > 0 {
        cut_lines.push(((left - outside, top), (left - outside, bottom)));
    }
    if row > 0 {
        cut_lines.push(((left, top - outside), (right, top - outside)));
    }
    SheetMarks {
        items: marks,
        cut_lines,
    }
}

/// Black for marks: K only in CMYK, so they print in one ink.
fn mark_ink(cmyk: bool) -> Color {
    Color {
        name: "tile marks".into(),
        rgb: [0, 0, 0],
        cmyk: cmyk.then_some([0, 0, 0, 100]),
        spot: None,
    }
}

/// The light grey of the glue bars and the assembly sheet's overlap strips.
fn glue_tint() -> Color {
    Color {
        name: "tile overlap".into(),
        rgb: [190, 190, 190],
        cmyk: Some([0, 0, 0, 30]),
        spot: None,
    }
}

/// The label under the copy: which sheet this is and of what.
fn sheet_label(
    grid: &Grid,
    row: usize,
    column: usize,
    name: &str,
    cmyk: bool,
    fonts: &FontBook,
) -> Option<Item> {
    let win = grid.window();
    let number = row * grid.columns + column + 1;
    let text = format!(
        "{} · sheet {number} of {} · {name}",
        grid.label(row, column),
        grid.sheets()
    );
    // Between the glue bars of the bottom gutter.
    let room = win.w - 2.0 * (grid.overlap + CROSS_ARM + Pt(6.0));
    text_run(
        &text,
        400,
        LABEL_SIZE,
        &mark_ink(cmyk),
        Anchor::Center(
            win.x + win.w / 2.0,
            win.bottom() + MARK_GAP + LABEL_SIZE + Pt(2.0),
        ),
        room,
        fonts,
    )
}

/// The tiles of every page of `doc` as a display list: per page, an assembly sheet, then
/// the sheets row by row, each holding the poster's page as a group (clipped to the
/// sheet's window, moved into place) and the marks and labels beside it. `name`
/// identifies the document on every sheet; marks are K only when `cmyk`. The one renderer
/// draws it like any other document (`render::sheets_to_pdf`).
pub fn sheets(
    doc: &Document,
    spec: TileSpec,
    name: &str,
    fonts: &FontBook,
    cmyk: bool,
) -> Result<Document, Diagnostic> {
    let mut pages = Vec::new();
    let mut outline = Vec::new();
    for (n, page) in doc.pages.iter().enumerate() {
        let grid = Grid::plan(page.width, page.height, spec)?;
        let name = if doc.pages.len() > 1 {
            format!("{name} · page {}", n + 1)
        } else {
            name.to_string()
        };
        // A bookmark per sheet: PDF/UA asks a document of several pages for an outline.
        outline.push(OutlineEntry {
            title: format!("{name}: how the sheets go together"),
            page: pages.len(),
            y: Pt::ZERO,
        });
        pages.push(assembly_sheet(page, &grid, spec, &name, fonts, cmyk));
        for row in 0..grid.rows {
            for column in 0..grid.columns {
                outline.push(OutlineEntry {
                    title: format!("{name}: sheet {}", grid.label(row, column)),
                    page: pages.len(),
                    y: Pt::ZERO,
                });
                pages.push(tile_sheet(page, &grid, row, column, &name, fonts, cmyk));
            }
        }
    }
    Ok(Document {
        title: format!(
            "{} — tiled on {} sheets",
            doc.title,
            spec.sheet.display_name()
        ),
        author: doc.author.clone(),
        subject: doc.subject.clone(),
        lang: doc.lang.clone(),
        year: doc.year,
        pages,
        outline,
        print: None,
        // The poster's own structure: the assembly sheets' copies are tagged against it.
        structure: doc.structure.clone(),
    })
}

/// A sheet of paper with nothing on it yet.
fn blank_sheet(width: Pt, height: Pt) -> Page {
    Page {
        width,
        height,
        items: Vec::new(),
        regions: Vec::new(),
    }
}

/// The page's display list clipped to `clip` (in sheet coordinates) through `transform`:
/// the vector copy. The assembly sheet's copy carries the poster's tags and links; the
/// tiles' copies repeat it piece by piece, so they are artifacts (`artifact`).
fn copy(page: &Page, clip: Rect, transform: Transform, artifact: bool) -> Item {
    Item::Group(Group {
        clip: Some(clip),
        transform: Some(transform),
        opacity: None,
        artifact,
        items: page.items.clone(),
    })
}

fn tile_sheet(
    page: &Page,
    grid: &Grid,
    row: usize,
    column: usize,
    name: &str,
    fonts: &FontBook,
    cmyk: bool,
) -> Page {
    let mut sheet = blank_sheet(grid.sheet_width, grid.sheet_height);
    let win = grid.window();
    let source = grid.source(row, column);
    sheet.items.push(copy(
        page,
        win,
        Transform::translate(win.x - source.x, win.y - source.y),
        true,
    ));
    let marks = sheet_marks(grid, row, column, cmyk);
    sheet.items.extend(marks.items);
    sheet
        .items
        .extend(sheet_label(grid, row, column, name, cmyk, fonts));
    for (from, to) in marks.cut_lines {
        sheet.items.push(Item::Line {
            from,
            to,
            color: mark_ink(cmyk),
            width: MARK_WIDTH,
            dash: Some(Dash {
                array: vec![Pt(4.0), Pt(3.0)],
                offset: Pt::ZERO,
            }),
        });
    }
    sheet
}

/// The first sheet: the whole page scaled to fit, the grid drawn over it with the shared
/// strips shaded and each sheet numbered, and how to put the sheets together.
#[allow(clippy::too_many_arguments)]
fn assembly_sheet(
    page: &Page,
    grid: &Grid,
    spec: TileSpec,
    name: &str,
    fonts: &FontBook,
    cmyk: bool,
) -> Page {
    const HEADER: Pt = Pt(58.0);
    let (w, h) = spec.sheet.size();
    let inner = |w: Pt, h: Pt| (w - 2.0 * MARGIN, h - 2.0 * MARGIN - HEADER);
    let scale_in = |(aw, ah): (Pt, Pt)| (aw / page.width).min(ah / page.height);
    // The orientation that shows the page larger.
    let (w, h) = if scale_in(inner(h, w)) > scale_in(inner(w, h)) {
        (h, w)
    } else {
        (w, h)
    };
    let (room_w, room_h) = inner(w, h);
    let scale = scale_in((room_w, room_h));
    let (pw, ph) = (page.width * scale, page.height * scale);
    let origin = (
        MARGIN + (room_w - pw) / 2.0,
        MARGIN + HEADER + (room_h - ph) / 2.0,
    );
    let mut sheet = blank_sheet(w, h);
    let ink = mark_ink(cmyk);

    let mut header = Vec::new();
    let line_at = |n: f32| MARGIN + Pt(12.0) + n * Pt(12.0);
    let width = w - 2.0 * MARGIN;
    let (sheet_kind, orientation) = (
        spec.sheet.display_name(),
        if grid.landscape() {
            "landscape"
        } else {
            "portrait"
        },
    );
    let lines = [
        (format!("Assembly: {name}"), 700, Pt(11.0)),
        (
            format!(
                "{} {sheet_kind} sheets ({orientation}) in {} rows × {} columns; neighbours overlap by {:.2} in. Print at 100 % (actual size), not “fit to page”.",
                grid.sheets(),
                grid.rows,
                grid.columns,
                grid.overlap.to_in()
            ),
            400,
            Pt(8.0),
        ),
        (
            "Cut each sheet along its dashed lines (left and top). Lay it over its left and upper neighbours so the cut edge meets their + marks on the grey bars; tape from the back.".to_string(),
            400,
            Pt(8.0),
        ),
        (
            "Last, trim the outer edges at the crop marks. Shaded below: the strips two sheets share.".to_string(),
            400,
            Pt(8.0),
        ),
    ];
    for (n, (text, weight, size)) in lines.iter().enumerate() {
        header.extend(text_run(
            text,
            *weight,
            *size,
            &ink,
            Anchor::Start(MARGIN, line_at(n as f32)),
            width,
            fonts,
        ));
    }
    sheet.items.extend(header);

    let placed = Rect {
        x: origin.0,
        y: origin.1,
        w: pw,
        h: ph,
    };
    sheet.items.push(copy(
        page,
        placed,
        Transform::scale_translate(scale, origin.0, origin.1),
        false,
    ));

    // Sheet coordinates of a rectangle of the page.
    let to_sheet = |r: Rect| Rect {
        x: origin.0 + r.x * scale,
        y: origin.1 + r.y * scale,
        w: r.w * scale,
        h: r.h * scale,
    };
    let shade = glue_tint();
    let mut strips = Vec::new();
    for column in 1..grid.columns {
        let x = grid.source(0, column).x;
        strips.push(Rect {
            x,
            y: Pt::ZERO,
            w: grid.overlap,
            h: page.height,
        });
    }
    for row in 1..grid.rows {
        let y = grid.source(row, 0).y;
        strips.push(Rect {
            x: Pt::ZERO,
            y,
            w: page.width,
            h: grid.overlap,
        });
    }
    // On screen colours the strips are shaded half-transparent so the poster shows
    // through. In CMYK they are outlined instead: a transparency group would bring an RGB
    // blending space into a file meant to be CMYK only.
    let strips: Vec<Item> = strips
        .into_iter()
        .map(|r| Item::Shape {
            rect: to_sheet(r),
            radius: Pt::ZERO,
            fill: (!cmyk).then(|| shade.clone()),
            stroke: cmyk.then(|| (shade.clone(), Pt(1.0))),
        })
        .collect();
    if cmyk {
        sheet.items.extend(strips);
    } else {
        sheet.items.push(Item::Group(Group {
            opacity: Some(0.45),
            items: strips,
            ..Group::default()
        }));
    }

    let white = Color {
        name: "white".into(),
        rgb: [255, 255, 255],
        cmyk: Some([0, 0, 0, 0]),
        spot: None,
    };
    let mut overlay = vec![Item::Shape {
        rect: placed,
        radius: Pt::ZERO,
        fill: None,
        stroke: Some((ink.clone(), Pt(0.75))),
    }];
    for row in 0..grid.rows {
        for column in 0..grid.columns {
            let tile = to_sheet(grid.source(row, column));
            overlay.push(Item::Shape {
                rect: tile,
                radius: Pt::ZERO,
                fill: None,
                stroke: Some((ink.clone(), Pt(0.75))),
            });
            let (cx, cy) = (tile.x + tile.w / 2.0, tile.y + tile.h / 2.0);
            let number = row * grid.columns + column + 1;
            overlay.push(Item::Shape {
                rect: Rect {
                    x: cx - Pt(34.0),
                    y: cy - Pt(18.0),
                    w: Pt(68.0),
                    h: Pt(34.0),
                },
                radius: Pt(4.0),
                fill: Some(white.clone()),
                stroke: Some((ink.clone(), Pt(0.5))),
            });
            overlay.extend(text_run(
                &number.to_string(),
                700,
                Pt(14.0),
                &ink,
                Anchor::Center(cx, cy + Pt(1.0)),
                Pt(60.0),
                fonts,
            ));
            overlay.extend(text_run(
                &format!("row {}, column {}", row + 1, column + 1),
                400,
                Pt(6.5),
                &ink,
                Anchor::Center(cx, cy + Pt(11.0)),
                Pt(64.0),
                fonts,
            ));
        }
    }
    sheet.items.extend(overlay);
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER_OVERLAP: TileSpec = TileSpec {
        sheet: Sheet::Letter,
        overlap: Pt(36.0),
    };

    #[test]
    fn poster_on_letter_takes_landscape_sheets_in_four_rows_of_two() {
        let grid = Grid::plan(Pt(1296.0), Pt(1728.0), LETTER_OVERLAP).unwrap();
        // Copy area on landscape Letter: 11 × 8.5 in less 2 × 0.5 in = 10 × 7.5 in.
        // Across: 2 × 10 − 0.5 ≥ 18; down: 4 × 7.5 − 3 × 0.5 ≥ 24 (3 would give 21.5).
        // Portrait (7.5 × 10 in) would take 3 × 3 = 9.
        assert!(grid.landscape());
        assert_eq!((grid.rows, grid.columns), (4, 2));
        assert_eq!(
            (grid.sheet_width, grid.sheet_height),
            (Pt(792.0), Pt(612.0))
        );
        assert!((grid.tile_width - Pt((1296.0 + 36.0) / 2.0)).abs() < Pt(1e-3));
        assert!((grid.tile_height - Pt((1728.0 + 3.0 * 36.0) / 4.0)).abs() < Pt(1e-3));
        // The last tile ends at the page's corner; neighbours share exactly the overlap.
        let last = grid.source(3, 1);
        assert!(
            (last.right() - Pt(1296.0)).abs() < Pt(1e-3)
                && (last.bottom() - Pt(1728.0)).abs() < Pt(1e-3)
        );
        assert!((grid.source(0, 0).right() - grid.source(0, 1).x - Pt(36.0)).abs() < Pt(1e-3));
        // The copy stays inside the printable area with the gutter to spare.
        let win = grid.window();
        assert!(win.x >= MARGIN + GUTTER - Pt(1e-3) && win.y >= MARGIN + GUTTER - Pt(1e-3));
        assert_eq!(grid.label(1, 0), "row 2, column 1 of 4×2");
    }

    #[test]
    fn tabloid_and_a4_grids() {
        // Tabloid copy area 10 × 16 in: 18 × 24 fits in 2 × 2 portrait.
        let tabloid = Grid::plan(
            Pt(1296.0),
            Pt(1728.0),
            TileSpec {
                sheet: Sheet::Tabloid,
                overlap: Pt(36.0),
            },
        )
        .unwrap();
        assert_eq!((tabloid.rows, tabloid.columns), (2, 2));
        assert!(!tabloid.landscape());
        let a4 = Grid::plan(
            Pt(1296.0),
            Pt(1728.0),
            TileSpec {
                sheet: Sheet::A4,
                overlap: Pt(36.0),
            },
        )
        .unwrap();
        assert!(a4.sheets() <= 9 && a4.tile_width <= a4.sheet_width - 2.0 * (MARGIN + GUTTER));
    }

    #[test]
    fn an_overlap_wider_than_the_copy_area_is_refused() {
        let err = Grid::plan(
            Pt(1296.0),
            Pt(1728.0),
            TileSpec {
                overlap: Pt(600.0),
                ..LETTER_OVERLAP
            },
        )
        .unwrap_err();
        assert!(err.message.contains("leaves no room"), "{err:?}");
    }

    #[test]
    fn sheet_sized_pages_are_not_tiled() {
        assert!(fits_on_one_sheet(Pt(612.0), Pt(792.0), Sheet::Letter));
        assert!(fits_on_one_sheet(Pt(612.0), Pt(792.0), Sheet::A4));
        assert!(!fits_on_one_sheet(Pt(1296.0), Pt(1728.0), Sheet::Letter));
        assert!(fits_on_one_sheet(Pt(792.0), Pt(1224.0), Sheet::Tabloid));
        assert!(!fits_on_one_sheet(Pt(792.0), Pt(1224.0), Sheet::Letter));
    }

    #[test]
    fn marks_stay_outside_the_copy_and_mark_each_neighbours_edge() {
        let grid = Grid::plan(Pt(1296.0), Pt(1728.0), LETTER_OVERLAP).unwrap();
        let win = grid.window();
        let lines = |row, column| -> Vec<((Pt, Pt), (Pt, Pt))> {
            sheet_marks(&grid, row, column, false)
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Line { from, to, .. } => Some((*from, *to)),
                    _ => None,
                })
                .collect()
        };
        let inside = |(x, y): (Pt, Pt)| {
            x > win.x + Pt(0.01)
                && x < win.right() - Pt(0.01)
                && y > win.y + Pt(0.01)
                && y < win.bottom() - Pt(0.01)
        };
        for row in 0..grid.rows {
            for column in 0..grid.columns {
                let marks = lines(row, column);
                assert!(marks.iter().all(|(a, b)| !inside(*a) && !inside(*b)));
                let neighbours = usize::from(row > 0)
                    + usize::from(row + 1 < grid.rows)
                    + usize::from(column > 0)
                    + usize::from(column + 1 < grid.columns);
                // 8 crop-mark strokes, and two crosses of two strokes per neighbour.
                assert_eq!(marks.len(), 8 + 4 * neighbours, "{row},{column}");
            }
        }
        // Sheet (row 1, column 1) has a right neighbour whose left edge falls `overlap`
        // inside the copy's right edge: a vertical cross arm stands exactly there.
        let edge = win.right() - grid.overlap;
        assert!(
            lines(0, 0)
                .iter()
                .any(|(a, b)| a.0 == edge && b.0 == edge && a.1 < win.y)
        );
        // Only sheets with a left or upper neighbour get cut lines.
        assert!(sheet_marks(&grid, 0, 0, false).cut_lines.is_empty());
        assert_eq!(sheet_marks(&grid, 1, 1, false).cut_lines.len(), 2);
    }
}
