//! Any text as inline Markdown through the text engine: plain text, typography, shaping
//! with fallback, bidi, line breaking at a width taken from the input, and setting lines.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let width = 20.0 + f32::from(data[0]) * 2.0;
    let lang = ["en", "es", "vi", "ar", "zh-Hant", "ko", "tl"][usize::from(data[1]) % 7];
    let Ok(markdown) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    let _ = broadside::compose::text::plain_text(markdown);
    let fonts = common::fonts();
    let style = &common::flyer().styles["body"];
    let Ok(prepared) = broadside::compose::text::prepare(markdown, style, fonts, lang) else {
        return;
    };
    if let Ok(breaks) = prepared.break_lines(0, width) {
        let count = breaks.len();
        for (i, brk) in breaks.iter().enumerate() {
            let _ = prepared.set_line(brk, width, i + 1 == count, fonts);
        }
    }
});
