//! Poster tiling (`build --tile`): the grid of sheets, their size, labels and marks, and
//! that neighbouring sheets print the shared strip identically — read back with lopdf and
//! rendered with hayro.

use crate::common::{Scratch, page_sizes, stderr};
use lopdf::Document;

const IN: f32 = 72.0;
/// What the sheets leave around the copy: the printer's margin plus the marks' gutter.
const AROUND_COPY: f32 = 0.25 * IN + 0.25 * IN;
const OVERLAP: f32 = 0.5 * IN;
const POSTER: (f32, f32) = (18.0 * IN, 24.0 * IN);
const LETTER: (f32, f32) = (8.5 * IN, 11.0 * IN);

/// The grid worked out here from the geometry alone: per orientation, n tiles of a copy
/// area `room` cover n·room − (n−1)·overlap; the orientation needing fewer sheets wins.
struct Expected {
    sheet: (f32, f32),
    rows: usize,
    columns: usize,
    tile: (f32, f32),
}

fn expected_grid() -> Expected {
    let count = |length: f32, room: f32| {
        (1..)
            .find(|&n| n as f32 * room - (n - 1) as f32 * OVERLAP >= length)
            .unwrap()
    };
    let orient = |(w, h): (f32, f32)| {
        let columns = count(POSTER.0, w - 2.0 * AROUND_COPY);
        let rows = count(POSTER.1, h - 2.0 * AROUND_COPY);
        let tile = |length: f32, n: usize| (length + (n - 1) as f32 * OVERLAP) / n as f32;
        Expected {
            sheet: (w, h),
            rows,
            columns,
            tile: (tile(POSTER.0, columns), tile(POSTER.1, rows)),
        }
    };
    let portrait = orient(LETTER);
    let landscape = orient((LETTER.1, LETTER.0));
    if landscape.rows * landscape.columns < portrait.rows * portrait.columns {
        landscape
    } else {
        portrait
    }
}

fn page_texts(doc: &Document) -> Vec<String> {
    doc.get_pages()
        .keys()
        .map(|&n| doc.extract_text(&[n]).unwrap())
        .collect()
}

fn build_tiles(scratch: &Scratch) -> std::path::PathBuf {
    let output = scratch.run(&[
        "build",
        "--tile",
        "letter",
        "--tile-overlap",
        "0.5in",
        "--county",
        "alameda",
        "--layout",
        "poster-18x24",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/poster-18x24.tiles-letter.pdf")
}

#[test]
fn poster_on_letter_gives_the_grid_of_labelled_letter_sheets() {
    let scratch = Scratch::new();
    let path = build_tiles(&scratch);
    assert_eq!(scratch.outputs(), vec![path.clone()]);
    let grid = expected_grid();
    // 18 × 24 in on Letter copy areas of 10 × 7.5 in (landscape): 2 across, 4 down.
    assert_eq!((grid.rows, grid.columns), (4, 2));

    let doc = Document::load(&path).unwrap();
    let sizes = page_sizes(&doc);
    assert_eq!(
        sizes.len(),
        1 + grid.rows * grid.columns,
        "assembly + tiles"
    );
    for (n, &(w, h)) in sizes.iter().enumerate() {
        let (a, b) = (w.min(h), w.max(h));
        assert!(
            (a - LETTER.0).abs() < 0.01 && (b - LETTER.1).abs() < 0.01,
            "page {}: {w} × {h}",
            n + 1
        );
        if n > 0 {
            assert_eq!((w, h), grid.sheet, "tiles are on the chosen orientation");
        }
    }
    let texts = page_texts(&doc);
    assert!(texts[0].contains("Assembly"), "{}", texts[0]);
    assert!(texts[0].contains("4 rows × 2 columns"), "{}", texts[0]);
    for row in 0..grid.rows {
        for column in 0..grid.columns {
            let sheet = row * grid.columns + column + 1;
            let text = &texts[sheet];
            let label = format!("row {}, column {} of 4×2", row + 1, column + 1);
            assert!(text.contains(&label), "sheet {sheet}: {text}");
            assert!(text.contains(&format!("sheet {sheet} of 8")), "{text}");
            assert!(
                text.contains("alameda · en · poster-18x24 · 2027"),
                "{text}"
            );
        }
    }
    // A vector copy: the poster's words are text on the sheets that show them.
    assert!(texts[3].contains("95%"), "{}", texts[3]);
    assert!(
        texts[1].to_uppercase().contains("ALAMEDA COUNTY"),
        "{}",
        texts[1]
    );
    let images = doc
        .objects
        .values()
        .filter(|o| {
            o.as_stream().is_ok_and(|s| {
                s.dict
                    .get(b"Subtype")
                    .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Image"))
            })
        })
        .count();
    assert_eq!(images, 0, "no raster anywhere");
}

/// Pages rendered at 72 dpi (one pixel per point), as RGB images.
fn rendered(path: &std::path::Path) -> Vec<image::RgbImage> {
    broadside::render::preview_png(std::fs::read(path).unwrap(), 72.0)
        .unwrap()
        .iter()
        .map(|png| image::load_from_memory(png).unwrap().to_rgb8())
        .collect()
}

/// The pixels of `image` in `columns` × `rows`, row by row.
fn block(
    image: &image::RgbImage,
    columns: std::ops::Range<u32>,
    rows: std::ops::Range<u32>,
) -> Vec<[u8; 3]> {
    rows.flat_map(|y| columns.clone().map(move |x| image.get_pixel(x, y).0))
        .collect()
}

/// Asserts two strips render alike; returns how many colours the strip holds.
fn assert_same(a: &[[u8; 3]], b: &[[u8; 3]], what: &str) -> usize {
    assert_eq!(a.len(), b.len());
    let worst = a
        .iter()
        .zip(b)
        .flat_map(|(p, q)| (0..3).map(move |i| p[i].abs_diff(q[i])))
        .max()
        .unwrap();
    assert!(worst <= 2, "{what}: pixels differ by up to {worst}");
    // A strip may fall on a flat band; the caller checks that some strips cross the
    // poster's text, so the comparison saw the poster.
    let mut colours: Vec<[u8; 3]> = a.to_vec();
    colours.sort_unstable();
    colours.dedup();
    colours.len()
}

#[test]
fn neighbouring_tiles_print_the_shared_strip_identically_and_marks_sit_outside() {
    let scratch = Scratch::new();
    let pages = rendered(&build_tiles(&scratch));
    let grid = expected_grid();
    let (tw, th) = grid.tile;
    let (x0, y0) = ((grid.sheet.0 - tw) / 2.0, (grid.sheet.1 - th) / 2.0);
    // Whole pixels inside the copy on every sheet (its edges may fall mid-pixel).
    let inside_rows = y0.ceil() as u32..(y0 + th).floor() as u32;
    let inside_columns = x0.ceil() as u32..(x0 + tw).floor() as u32;
    let tile = |row: usize, column: usize| &pages[1 + row * grid.columns + column];
    // The step between neighbours is a whole number of points here, so both sheets put the
    // shared strip on the same pixel grid.
    let (step_x, step_y) = ((tw - OVERLAP) as u32, (th - OVERLAP) as u32);
    assert_eq!((step_x as f32, step_y as f32), (tw - OVERLAP, th - OVERLAP));
    // Whole pixels of the strip a sheet shares with its right (lower) neighbour, on the
    // neighbour; on the sheet itself they are one step further.
    let shared_columns = x0.ceil() as u32..(x0 + OVERLAP).floor() as u32;
    let shared_rows = y0.ceil() as u32..(y0 + OVERLAP).floor() as u32;
    let shift = |r: &std::ops::Range<u32>, by: u32| r.start + by..r.end + by;
    let mut most_colours = 0;
    for row in 0..grid.rows {
        for column in 0..grid.columns - 1 {
            let a = block(
                tile(row, column),
                shift(&shared_columns, step_x),
                inside_rows.clone(),
            );
            let b = block(
                tile(row, column + 1),
                shared_columns.clone(),
                inside_rows.clone(),
            );
            most_colours = most_colours.max(assert_same(
                &a,
                &b,
                &format!("row {row} columns {column}/{}", column + 1),
            ));
        }
    }
    for row in 0..grid.rows - 1 {
        for column in 0..grid.columns {
            let a = block(
                tile(row, column),
                inside_columns.clone(),
                shift(&shared_rows, step_y),
            );
            let b = block(
                tile(row + 1, column),
                inside_columns.clone(),
                shared_rows.clone(),
            );
            most_colours = most_colours.max(assert_same(
                &a,
                &b,
                &format!("column {column} rows {row}/{}", row + 1),
            ));
        }
    }
    assert!(
        most_colours > 3,
        "no shared strip crosses the poster's text"
    );

    // Marks, in the gutter outside the copy. A crop mark runs left from the top-left corner.
    let dark =
        |image: &image::RgbImage, x: f32, y: f32| image.get_pixel(x as u32, y as u32).0[0] < 235;
    for page in &pages[1..] {
        assert!(dark(page, x0 - 9.0, y0), "crop mark at the top-left corner");
        assert!(
            dark(page, x0 + tw + 9.0, y0 + th),
            "crop mark at the bottom-right"
        );
    }
    // Above the copy, where the right neighbour's left edge falls (overlap inside the right
    // edge), sheet 1 has an alignment cross on a grey glue bar; sheet 2, with no right
    // neighbour, has nothing there.
    let edge = x0 + tw - OVERLAP;
    let (cross_y, bar) = (y0 - 9.0, (x0 + tw - OVERLAP / 2.0, y0 - 12.0));
    assert!(dark(tile(0, 0), edge + 3.0, cross_y), "cross arm");
    let grey = tile(0, 0).get_pixel(bar.0 as u32, bar.1 as u32).0;
    assert!(
        grey.iter().all(|&c| (170..=210).contains(&c)),
        "glue bar {grey:?}"
    );
    assert!(!dark(tile(0, 1), edge + 3.0, cross_y));
    assert!(!dark(tile(0, 1), bar.0, bar.1));
    // Likewise beside the copy where the lower neighbour's top edge falls.
    assert!(dark(tile(0, 0), x0 - 9.0 + 3.0, y0 + th - OVERLAP));
    assert!(!dark(tile(3, 0), x0 - 9.0 + 3.0, y0 + th - OVERLAP));
}

#[test]
fn sheet_sized_layouts_are_not_tiled() {
    let scratch = Scratch::new();
    // Named: said once, nothing written.
    let output = scratch.run(&[
        "build",
        "--tile",
        "letter",
        "--layout",
        "flyer-letter",
        "--county",
        "alameda",
        "--county",
        "fresno",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(
        err.matches(
            "layout `flyer-letter` (8.5 × 11.0 in) prints whole on a letter sheet; it is not tiled"
        )
        .count(),
        1,
        "{err}"
    );
    assert!(scratch.outputs().is_empty(), "{:?}", scratch.outputs());
    // Not named: only the poster is tiled, silently.
    let output = scratch.run(&[
        "build", "--tile", "a4", "--county", "alameda", "--year", "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("not tiled"));
    let names: Vec<String> = scratch
        .outputs()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["poster-18x24.tiles-a4.pdf"]);
}

#[test]
fn an_overlap_too_wide_for_the_sheet_is_an_error() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "build",
        "--tile",
        "letter",
        "--tile-overlap",
        "9in",
        "--layout",
        "poster-18x24",
        "--county",
        "alameda",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot tile layout `poster-18x24`"), "{err}");
    assert!(err.contains("--tile-overlap"), "{err}");
    assert!(scratch.outputs().is_empty());
}

#[test]
fn each_tile_is_its_region_of_the_poster() {
    let scratch = Scratch::new();
    let tiles = build_tiles(&scratch);
    let output = scratch.run(&[
        "build",
        "--county",
        "alameda",
        "--layout",
        "poster-18x24",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let poster = tiles.with_file_name("poster-18x24.pdf");
    // 144 dpi puts the copy's corner (63, 76.5 pt) and every tile's origin on whole pixels.
    let dpi = 144.0;
    let px = |pt: f32| {
        let p = pt * dpi / 72.0;
        assert_eq!(p, p.round(), "{pt} pt is not on a pixel edge");
        p as u32
    };
    let render = |path: &std::path::Path| -> Vec<image::RgbImage> {
        broadside::render::preview_png(std::fs::read(path).unwrap(), dpi)
            .unwrap()
            .iter()
            .map(|png| image::load_from_memory(png).unwrap().to_rgb8())
            .collect()
    };
    let sheets = render(&tiles);
    let whole = &render(&poster)[0];
    let grid = expected_grid();
    let (tw, th) = grid.tile;
    let (x0, y0) = ((grid.sheet.0 - tw) / 2.0, (grid.sheet.1 - th) / 2.0);
    for (row, column) in [(0, 0), (1, 1), (grid.rows - 1, grid.columns - 1)] {
        let (sx, sy) = (column as f32 * (tw - OVERLAP), row as f32 * (th - OVERLAP));
        let sheet = &sheets[1 + row * grid.columns + column];
        let a = block(sheet, px(x0)..px(x0 + tw), px(y0)..px(y0 + th));
        let b = block(whole, px(sx)..px(sx + tw), px(sy)..px(sy + th));
        assert_same(&a, &b, &format!("tile {row},{column} against the poster"));
    }
}

/// The tile sheets are tagged like the poster they come from: a structure tree (the
/// poster's, read from the assembly sheet's copy), marked content, the language and a
/// title shown in the window; and they pass krilla's PDF/UA-1 check on writing.
#[test]
fn tile_sheets_carry_a_tag_tree_and_metadata() {
    let scratch = Scratch::new();
    let path = build_tiles(&scratch);
    let doc = Document::load(&path).unwrap();
    let catalog = doc.catalog().unwrap();
    let root = catalog
        .get(b"StructTreeRoot")
        .unwrap()
        .as_reference()
        .unwrap();
    let root = doc.get_dictionary(root).unwrap();
    // The structure has the poster's elements: a heading and paragraphs at least.
    let types: Vec<Vec<u8>> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| {
            d.get(b"Type")
                .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"StructElem"))
        })
        .filter_map(|d| d.get(b"S").ok()?.as_name().ok().map(<[u8]>::to_vec))
        .collect();
    assert!(root.get(b"K").is_ok(), "{root:?}");
    assert!(types.iter().any(|t| t == b"H1"), "{types:?}");
    assert!(
        types.iter().filter(|t| t.as_slice() == b"P").count() >= 2,
        "{types:?}"
    );
    let mark_info = match catalog.get(b"MarkInfo").unwrap() {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        other => other.as_dict().unwrap(),
    };
    assert!(mark_info.get(b"Marked").unwrap().as_bool().unwrap());
    assert!(!mark_info.has(b"Suspects"), "{mark_info:?}");
    let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
    assert_eq!(lang, b"en");
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let title = doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
    let title = lopdf::decode_text_string(title).unwrap();
    assert!(title.contains("tiled on Letter sheets"), "{title}");
    let prefs = match catalog.get(b"ViewerPreferences").unwrap() {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        other => other.as_dict().unwrap(),
    };
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    // Every sheet's content is tagged or an artifact: each page holds marked content.
    for (n, &page) in doc.get_pages().values().enumerate() {
        let content = String::from_utf8_lossy(&doc.get_page_content(page)).into_owned();
        assert!(
            content.contains("BDC") || content.contains("BMC"),
            "sheet {}",
            n + 1
        );
        if n == 0 {
            assert!(
                content.contains("/MCID"),
                "the assembly sheet carries the tagged copy"
            );
        }
    }
}
