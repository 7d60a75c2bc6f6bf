//! Proof sheets (`broadside proof`): every selected edition of a layout as a labelled
//! thumbnail on Letter or Tabloid pages, in plan order, so a program office can sign off 58
//! counties at a glance. An edition that fails keeps its cell, marked in red with the
//! reason; one with findings gets an amber badge. The sheets are a display list of groups
//! (each thumbnail is the edition's first page, scaled under a clip), drawn by the one
//! renderer like any other document.

use crate::compose::marks::{Anchor, text_run};
use crate::fonts::FontBook;
use crate::page::{Color, Document, Group, Item, Page, Pt, Rect, Transform};

/// The paper a proof is printed on (portrait).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProofSheet {
    #[default]
    Letter,
    Tabloid,
}

impl ProofSheet {
    /// Width and height in points.
    pub fn size(self) -> (Pt, Pt) {
        match self {
            ProofSheet::Letter => (Pt(612.0), Pt(792.0)),
            ProofSheet::Tabloid => (Pt(792.0), Pt(1224.0)),
        }
    }
}

/// What became of one edition.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Passed,
    /// Made, with findings (first lines of the messages).
    Flagged(Vec<String>),
    /// Not made (first lines of the errors).
    Failed(Vec<String>),
}

/// One edition on the proof: its label, its first page when it could be composed, how
/// many pages it has, and its verdict.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: String,
    pub page: Option<Page>,
    pub pages: usize,
    pub status: Status,
}

const MARGIN: Pt = Pt(36.0);
const HEADER: Pt = Pt(44.0);
const GAP: Pt = Pt(14.0);
/// Room under a thumbnail for its two label lines.
const LABEL: Pt = Pt(26.0);
/// The thumbnail width aimed at; the sheet's columns share the width evenly.
const THUMB_WIDTH: Pt = Pt(118.0);

fn color(name: &str, rgb: [u8; 3]) -> Color {
    Color {
        name: name.into(),
        rgb,
        cmyk: None,
        spot: None,
    }
}

fn ink() -> Color {
    color("proof ink", [0, 0, 0])
}
fn grey() -> Color {
    color("proof grey", [150, 150, 150])
}
fn red() -> Color {
    color("proof fails", [200, 30, 30])
}
fn amber() -> Color {
    color("proof findings", [230, 150, 0])
}
fn white() -> Color {
    color("proof white", [255, 255, 255])
}

/// The proof of `entries` (in the order given: the plan's) titled `title`, as sheets of
/// `sheet` paper. Every entry has a cell, whether or not it has a page to show.
pub fn sheets(
    title: &str,
    entries: &[Entry],
    sheet: ProofSheet,
    year: i32,
    fonts: &FontBook,
) -> Document {
    let (w, h) = sheet.size();
    // Every edition of a layout has the layout's page size; the first that composed gives it.
    let (pw, ph) = entries
        .iter()
        .find_map(|e| e.page.as_ref().map(|p| (p.width, p.height)))
        .unwrap_or((Pt(612.0), Pt(792.0)));
    let room_w = w - 2.0 * MARGIN;
    let columns = (((room_w + GAP) / (THUMB_WIDTH + GAP)).floor() as usize).max(1);
    let thumb_w = (room_w - GAP * (columns - 1) as f32) / columns as f32;
    // The page's aspect, multiplied before dividing as it always was (same rounding).
    let thumb_h = thumb_w * ph.0 / pw.0;
    let row_h = thumb_h + LABEL + GAP;
    let rows = (((h - 2.0 * MARGIN - HEADER + GAP) / row_h).floor() as usize).max(1);
    let per_sheet = columns * rows;
    let sheet_count = entries.len().div_ceil(per_sheet).max(1);
    let failing = entries
        .iter()
        .filter(|e| matches!(e.status, Status::Failed(_)))
        .count();
    let flagged = entries
        .iter()
        .filter(|e| matches!(e.status, Status::Flagged(_)))
        .count();
    let mut pages = Vec::with_capacity(sheet_count);
    for n in 0..sheet_count {
        let mut items = Vec::new();
        items.extend(text_run(
            title,
            700,
            Pt(14.0),
            &ink(),
            Anchor::Start(MARGIN, MARGIN + Pt(14.0)),
            room_w,
            fonts,
        ));
        let summary = format!(
            "{} edition(s) · {failing} failing · {flagged} with findings · sheet {} of {sheet_count}",
            entries.len(),
            n + 1
        );
        items.extend(text_run(
            &summary,
            400,
            Pt(8.0),
            &ink(),
            Anchor::Start(MARGIN, MARGIN + Pt(28.0)),
            room_w,
            fonts,
        ));
        let chunk = entries.iter().skip(n * per_sheet).take(per_sheet);
        for (k, entry) in chunk.enumerate() {
            let cell = Rect {
                x: MARGIN + (k % columns) as f32 * (thumb_w + GAP),
                y: MARGIN + HEADER + (k / columns) as f32 * row_h,
                w: thumb_w,
                h: thumb_h,
            };
            cell_items(entry, cell, fonts, &mut items);
        }
        pages.push(Page {
            width: w,
            height: h,
            items,
            regions: Vec::new(),
        });
    }
    Document {
        title: title.to_string(),
        author: String::new(),
        subject: "Proof sheet".into(),
        lang: "en".into(),
        year,
        pages,
        outline: Vec::new(),
        print: None,
        structure: Vec::new(),
    }
}

/// One edition's cell: the thumbnail (or an empty red box), its frame, a badge when it
/// fails or has findings, and its label with one line of detail under it.
fn cell_items(entry: &Entry, cell: Rect, fonts: &FontBook, items: &mut Vec<Item>) {
    match &entry.page {
        Some(page) => {
            let scale = (cell.w / page.width).min(cell.h / page.height);
            items.push(Item::Shape {
                rect: cell,
                radius: Pt::ZERO,
                fill: Some(white()),
                stroke: None,
            });
            items.push(Item::Group(Group {
                clip: Some(cell),
                transform: Some(Transform::scale_translate(
                    scale,
                    cell.x + (cell.w - page.width * scale) / 2.0,
                    cell.y + (cell.h - page.height * scale) / 2.0,
                )),
                opacity: None,
                // Thumbnails of other documents: nothing here to read as this one's text.
                artifact: true,
                items: page.items.clone(),
            }));
        }
        None => items.push(Item::Shape {
            rect: cell,
            radius: Pt::ZERO,
            fill: Some(color("proof no page", [250, 225, 225])),
            stroke: None,
        }),
    }
    let (frame, width, badge, detail) = match &entry.status {
        Status::Passed => (
            grey(),
            Pt(0.5),
            None,
            format!(
                "{} page{}",
                entry.pages,
                if entry.pages == 1 { "" } else { "s" }
            ),
        ),
        Status::Flagged(findings) => (
            amber(),
            Pt(1.5),
            Some((amber(), format!("{} FINDING(S)", findings.len()))),
            findings.first().cloned().unwrap_or_default(),
        ),
        Status::Failed(errors) => (
            red(),
            Pt(2.0),
            Some((red(), "FAILS".to_string())),
            errors.first().cloned().unwrap_or_default(),
        ),
    };
    items.push(Item::Shape {
        rect: cell,
        radius: Pt::ZERO,
        fill: None,
        stroke: Some((frame, width)),
    });
    if let Some((fill, text)) = badge {
        let badge = Rect {
            x: cell.x + Pt(4.0),
            y: cell.y + Pt(4.0),
            w: cell.w - Pt(8.0),
            h: Pt(16.0),
        };
        items.push(Item::Shape {
            rect: badge,
            radius: Pt(3.0),
            fill: Some(fill),
            stroke: None,
        });
        items.extend(text_run(
            &text,
            700,
            Pt(9.0),
            &white(),
            Anchor::Center(badge.x + badge.w / 2.0, badge.y + Pt(11.5)),
            badge.w - Pt(6.0),
            fonts,
        ));
    }
    items.extend(text_run(
        &entry.label,
        700,
        Pt(8.0),
        &ink(),
        Anchor::Start(cell.x, cell.bottom() + Pt(10.0)),
        cell.w,
        fonts,
    ));
    // A long reason is cut rather than shrunk to nothing; the terminal has it whole.
    let detail: String = if detail.chars().count() > 60 {
        detail.chars().take(59).chain(['…']).collect()
    } else {
        detail
    };
    if !detail.is_empty() {
        items.extend(text_run(
            &detail,
            400,
            Pt(6.0),
            &ink(),
            Anchor::Start(cell.x, cell.bottom() + Pt(19.0)),
            cell.w,
            fonts,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(fill: [u8; 3]) -> Page {
        Page {
            width: Pt(612.0),
            height: Pt(792.0),
            items: vec![Item::Shape {
                rect: Rect {
                    x: Pt(0.0),
                    y: Pt(0.0),
                    w: Pt(612.0),
                    h: Pt(100.0),
                },
                radius: Pt::ZERO,
                fill: Some(color("band", fill)),
                stroke: None,
            }],
            regions: Vec::new(),
        }
    }

    fn entry(label: &str, status: Status) -> Entry {
        let failed = matches!(status, Status::Failed(_));
        Entry {
            label: label.into(),
            page: (!failed).then(|| page([10, 20, 30])),
            pages: 1,
            status,
        }
    }

    fn texts(items: &[Item]) -> Vec<(String, f32, f32)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) => Some((run.text.clone(), run.x.0, run.y.0)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_labelled_thumbnail_per_edition_in_plan_order_and_failures_marked() {
        let fonts = crate::compose::text::tests::fonts();
        let mut entries: Vec<Entry> = (0..30)
            .map(|i| entry(&format!("County {i:02} (en)"), Status::Passed))
            .collect();
        entries[4] = entry(
            "County 04 (en)",
            Status::Failed(vec!["text does not fit frame `headline`".into()]),
        );
        entries[7] = entry(
            "County 07 (en)",
            Status::Flagged(vec!["a rule is thinner than 0.25 pt".into()]),
        );
        let doc = sheets(
            "Proof: flyer-letter",
            &entries,
            ProofSheet::Letter,
            2027,
            fonts,
        );
        // Letter: 4 columns × 3 rows a sheet, so 30 editions take 3 sheets.
        assert_eq!(doc.pages.len(), 3);
        assert!(
            doc.pages
                .iter()
                .all(|p| p.width == Pt(612.0) && p.height == Pt(792.0))
        );
        let all: Vec<Item> = doc.pages.iter().flat_map(|p| p.items.clone()).collect();
        // Every edition that composed is one thumbnail group (the failing one has none).
        let groups = all.iter().filter(|i| matches!(i, Item::Group(_))).count();
        assert_eq!(groups, 29);
        // Each edition's label, once, in plan order: sheet by sheet, row by row.
        let labels: Vec<String> = all
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) if run.text.starts_with("County ") => Some(run.text.clone()),
                _ => None,
            })
            .collect();
        let expected: Vec<String> = entries.iter().map(|e| e.label.clone()).collect();
        assert_eq!(labels, expected);
        let first = texts(&doc.pages[0].items);
        let at = |label: &str| first.iter().find(|t| t.0 == label).unwrap().clone();
        let (a, b, e) = (
            at("County 00 (en)"),
            at("County 01 (en)"),
            at("County 04 (en)"),
        );
        assert!(a.1 < b.1 && (a.2 - b.2).abs() < 0.01, "row-major order");
        assert!(
            e.2 > a.2 && (e.1 - a.1).abs() < 0.01,
            "the fifth starts row two"
        );
        // The failing edition is marked, with its reason, in its own cell.
        let fails = first
            .iter()
            .find(|t| t.0 == "FAILS")
            .expect("a FAILS badge");
        assert!((fails.2 - e.2).abs() < thumb_height_bound() && fails.2 < e.2);
        assert!(first.iter().any(|t| t.0.starts_with("text does not fit")));
        assert!(first.iter().any(|t| t.0 == "1 FINDING(S)"));
        assert_eq!(first.iter().filter(|t| t.0 == "FAILS").count(), 1);
        // And the summary counts it.
        assert!(
            first
                .iter()
                .any(|t| t.0.contains("30 edition(s) · 1 failing · 1 with findings"))
        );
    }

    /// A Letter thumbnail of a Letter page is at most this tall (plus its label).
    fn thumb_height_bound() -> f32 {
        200.0
    }

    #[test]
    fn tabloid_holds_more_and_thumbnails_keep_the_page_shape() {
        let fonts = crate::compose::text::tests::fonts();
        let entries: Vec<Entry> = (0..30)
            .map(|i| entry(&format!("County {i:02} (en)"), Status::Passed))
            .collect();
        let doc = sheets("Proof", &entries, ProofSheet::Tabloid, 2027, fonts);
        assert_eq!(doc.pages.len(), 2);
        let Some(Item::Group(group)) = doc.pages[0]
            .items
            .iter()
            .find(|i| matches!(i, Item::Group(_)))
        else {
            panic!("no thumbnail");
        };
        let clip = group.clip.unwrap();
        assert!((clip.h / clip.w - 792.0 / 612.0).abs() < 1e-3);
        assert_eq!(group.items.len(), 1, "the page's items, as they are");
    }
}
