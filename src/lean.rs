//! Leaner screen PDFs: the bytes a reader never needs, taken out of krilla's file after it
//! is written (the object-stream packing in `render` calls these). Each step keeps what
//! PDF/UA-1 asks for; the archival (PDF/A) steps are skipped where PDF/A asks for more.

use lopdf::content::Operation;
use lopdf::{Document, Object};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

thread_local! {
    /// One deflater per thread, kept between streams: setting one up allocates and clears
    /// its tables, which cost more than compressing a flyer's small streams.
    static DEFLATER: RefCell<Option<libdeflater::Compressor>> = const { RefCell::new(None) };
}

/// The level every stream we deflate is deflated at. libdeflate's 6 deflates a flyer's
/// streams smaller than zlib's best (9) did, and its 9 only 0.3% smaller again for 2.5%
/// more of a 59-flyer batch's CPU; 10 to 12 (near-optimal parsing) save 1.5% more at five
/// times the time.
const LEVEL: i32 = 6;

/// ToUnicode maps already deflated in this process, by the SHA-256 of their plain bytes (a
/// collision is not a practical concern): the documents of a run share most of them (a
/// face's map is the same in every county's flyer that sets the same glyphs in that face),
/// and deflating them (with zlib then, most of it clearing the deflater's tables, for a
/// flyer's small streams) was a sixth of a batch's time, with the font programs (now
/// remembered whole, slimmed, by `render::pack`). Deflate gives the same bytes for the same
/// input, so a remembered stream is the stream. Page content, which names the county, is
/// not remembered.
static DEFLATED: std::sync::LazyLock<Mutex<DeflatedMemo>> =
    std::sync::LazyLock::new(|| Mutex::new(SeenTwiceMemo::new(2 << 20, 1 << 16)));

/// Deflated streams by the digest of their plain bytes (`None`: the deflater failed).
type DeflatedMemo = SeenTwiceMemo<[u8; 32], Option<Arc<[u8]>>>;

/// Answers worked out for streams a run's documents share, by a key of the stream: one is
/// remembered the second time its key is offered, so what only one document has (a
/// statewide edition's subset or map in its language) takes no room; and the memo is
/// bounded, so a whole kit (or a long `serve`) stays small: once it holds `max_bytes`,
/// answers are worked out without being remembered, and at most `max_seen` keys seen once
/// are kept.
pub(crate) struct SeenTwiceMemo<K, V> {
    answers: HashMap<K, V>,
    seen: std::collections::HashSet<K>,
    /// What `answers` holds: each key and each answer's bytes.
    bytes: usize,
    max_bytes: usize,
    max_seen: usize,
}

impl<K: std::hash::Hash + Eq + Copy, V: Clone> SeenTwiceMemo<K, V> {
    pub(crate) fn new(max_bytes: usize, max_seen: usize) -> Self {
        SeenTwiceMemo {
            answers: HashMap::new(),
            seen: Default::default(),
            bytes: 0,
            max_bytes,
            max_seen,
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.answers.get(key).cloned()
    }

    /// Remembers `answer` (`size` bytes) if `key` was offered before and there is room.
    pub(crate) fn offer(&mut self, key: K, answer: V, size: usize) {
        if self.answers.contains_key(&key) {
            return; // another thread worked it out at the same time
        }
        if !self.seen.contains(&key) {
            if self.seen.len() < self.max_seen {
                self.seen.insert(key);
            }
            return;
        }
        let size = std::mem::size_of::<K>() + size;
        if self.bytes + size <= self.max_bytes {
            self.bytes += size;
            self.seen.remove(&key);
            self.answers.insert(key, answer);
        }
    }

    #[cfg(test)]
    pub(crate) fn remembers(&self, key: &K) -> bool {
        self.answers.contains_key(key)
    }
}

/// `data` deflated (zlib format) at [`LEVEL`] with the thread's deflater.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    DEFLATER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let compressor = match &mut *slot {
            Some(c) => c,
            None => slot.insert(libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(LEVEL).ok()?,
            )),
        };
        let mut out = vec![0; compressor.zlib_compress_bound(data.len())];
        let written = compressor.zlib_compress(data, &mut out).ok()?;
        out.truncate(written);
        Some(out)
    })
}

/// [`deflate`], from the memo when the same bytes were deflated before.
fn deflate_shared(data: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest as _;
    let key: [u8; 32] = sha2::Sha256::digest(data).into();
    if let Some(known) = DEFLATED.lock().ok()?.get(&key) {
        return known.as_deref().map(<[u8]>::to_vec);
    }
    let deflated = deflate(data);
    let size = deflated.as_ref().map_or(0, Vec::len);
    DEFLATED
        .lock()
        .ok()?
        .offer(key, deflated.as_deref().map(Arc::from), size);
    deflated
}

/// lopdf's `Stream::compress` with the thread's deflater: a stream without a filter is
/// deflated at [`LEVEL`] when that saves more than the 19 bytes `/Filter/FlateDecode`
/// costs.
pub(crate) fn compress(stream: &mut lopdf::Stream) {
    compress_with(stream, deflate);
}

/// [`compress`] for a stream other documents of the run are likely to hold too (a
/// ToUnicode map): deflated once per run.
pub(crate) fn compress_shared(stream: &mut lopdf::Stream) {
    compress_with(stream, deflate_shared);
}

fn compress_with(stream: &mut lopdf::Stream, deflate: fn(&[u8]) -> Option<Vec<u8>>) {
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    if let Some(deflated) = deflate(&stream.content)
        && deflated.len() + 19 < stream.content.len()
    {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(deflated);
    }
}

/// Numbers in page content keep three decimals (1/1000 pt, or 1/1000 of a thousandth of
/// an em in a `TJ` adjustment): krilla writes f32 noise such as `-49.99994` and
/// `59.135998`, which costs bytes before and after deflate. Smaller magnitudes (a scale
/// factor, a faint colour) keep their precision.
fn rounded(value: f32) -> Object {
    if !value.is_finite() || value.abs() < 0.1 {
        return Object::Real(value);
    }
    let r = (f64::from(value) * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e9 {
        Object::Integer(r as i64)
    } else {
        Object::Real(r as f32)
    }
}

fn round_operand(object: &mut Object) {
    match object {
        Object::Real(v) => *object = rounded(*v),
        Object::Array(items) => items.iter_mut().for_each(round_operand),
        _ => {}
    }
}

/// Rewrites every page's content stream with rounded numbers, deflated at [`LEVEL`].
/// A stream we cannot parse is left as it is.
fn round_page_content(pdf: &mut Document) {
    rewrite_page_content(pdf, false);
}

/// [`round_page_content`], and for a screen file (`tighten`) its text objects tightened
/// (see [`tighten_content`]).
fn rewrite_page_content(pdf: &mut Document, tighten: bool) {
    let streams: Vec<lopdf::ObjectId> = pdf
        .get_pages()
        .values()
        .flat_map(|&page| pdf.get_page_contents(page))
        .collect();
    for id in streams {
        let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) else {
            continue;
        };
        let Ok(plain) = stream.decompressed_content() else {
            continue;
        };
        let Some(mut content) =
            decode_plain_content(&plain).or_else(|| lopdf::content::Content::decode(&plain).ok())
        else {
            continue;
        };
        for operation in &mut content.operations {
            operation.operands.iter_mut().for_each(round_operand);
        }
        if tighten {
            content.operations = tighten_content(std::mem::take(&mut content.operations));
        }
        let Some(encoded) = encode_content(&content.operations, plain.len()) else {
            continue;
        };
        stream.set_plain_content(encoded);
        compress(stream);
    }
}

/// `operations` as lopdf's `Content::encode` writes them, byte for byte, without its cost:
/// it writes each operand through a `dyn Write`, a real number by way of a `String`, and a
/// hexadecimal string (a run's glyph ids) one `write!` per byte — a fifth of rewriting a
/// page. Numbers, names and strings that need no escape, and arrays of them, are written
/// here as lopdf writes them; any other operand goes to lopdf's own writer, into the same
/// buffer. An inline image (`BI`) is left to lopdf whole. `capacity`: a guess at the size.
fn encode_content(operations: &[Operation], capacity: usize) -> Option<Vec<u8>> {
    if operations.iter().any(|op| op.operator == "BI") {
        return lopdf::content::Content {
            operations: operations.to_vec(),
        }
        .encode()
        .ok();
    }
    let mut out = Vec::with_capacity(capacity);
    for (i, operation) in operations.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        for operand in &operation.operands {
            encode_operand(&mut out, operand)?;
            out.push(b' ');
        }
        out.extend_from_slice(operation.operator.as_bytes());
    }
    Some(out)
}

/// One operand as `lopdf::Writer::write_object` writes it (see [`encode_content`]).
fn encode_operand(out: &mut Vec<u8>, object: &Object) -> Option<()> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    match object {
        Object::Integer(value) => write!(out, "{value}").ok()?,
        Object::Real(value) => {
            // `Display`, with `.0` after a whole number (which would read back as an integer).
            let start = out.len();
            if !write_short_real(out, *value) {
                write!(out, "{value}").ok()?;
            }
            if value.is_finite() && !out[start..].contains(&b'.') {
                out.extend_from_slice(b".0");
            }
        }
        Object::Name(name)
            if name
                .iter()
                .all(|&b| (33..=126).contains(&b) && !b"()<>[]{}/%#".contains(&b)) =>
        {
            out.push(b'/');
            out.extend_from_slice(name);
        }
        Object::String(text, lopdf::StringFormat::Hexadecimal) => {
            out.push(b'<');
            for &byte in text {
                out.extend_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]);
            }
            out.push(b'>');
        }
        Object::String(text, lopdf::StringFormat::Literal)
            if !text.iter().any(|b| b"()\\\r".contains(b)) =>
        {
            out.push(b'(');
            out.extend_from_slice(text);
            out.push(b')');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                // A blank only before what would run into the item before it.
                let separated = matches!(
                    item,
                    Object::Null
                        | Object::Boolean(_)
                        | Object::Integer(_)
                        | Object::Real(_)
                        | Object::Reference(_)
                );
                if i > 0 && separated {
                    out.push(b' ');
                }
                encode_operand(out, item)?;
            }
            out.push(b']');
        }
        other => lopdf::Writer::write_object(out, other).ok()?,
    }
    Some(())
}

/// Writes `value` as `Display` does (the shortest digits that read back as the same `f32`,
/// never an exponent) when it is a number of thousandths with at most six significant
/// digits, as the rounded numbers of a page are, and says whether it did. Formatting floats
/// was most of encoding a page. Why the digits are `Display`'s: the thousandths `m` read
/// back as `value` (checked exactly below), and two decimals of six significant digits or
/// fewer never read back as the same `f32` (`FLT_DIG` is 6), so no other string of as few
/// digits reads back as `value`; the shortest is this one.
fn write_short_real(out: &mut Vec<u8>, value: f32) -> bool {
    let wide = f64::from(value);
    if !(wide.abs() >= 0.001 && wide.abs() < 1.0e6) {
        return false;
    }
    let m = (wide * 1000.0).round() as i64;
    let mut significant = m.unsigned_abs();
    while significant.is_multiple_of(10) {
        significant /= 10;
    }
    if significant >= 1_000_000 {
        return false;
    }
    // `value` is ±mantissa × 2^-shift. m/1000 reads back as it when it is nearer to it than
    // half the gap to the next float: |m·2^shift − 1000·(±mantissa)| < 500. A power of two
    // (a narrower gap below) and a tie are left to `Display`.
    let bits = value.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32;
    let fraction = bits & 0x7f_ffff;
    if exponent == 0 || fraction == 0 {
        return false;
    }
    let shift = 150 - exponent; // 4 to 33 for the magnitudes above
    let mantissa = i128::from(fraction | 0x80_0000);
    let signed = if value < 0.0 { -mantissa } else { mantissa };
    if (i128::from(m) * (1i128 << shift) - 1000 * signed).abs() >= 500 {
        return false;
    }
    if m < 0 {
        out.push(b'-');
    }
    let (whole, thousandths) = (m.unsigned_abs() / 1000, m.unsigned_abs() % 1000);
    let _ = write!(out, "{whole}");
    if thousandths != 0 {
        let digits = [
            b'0' + (thousandths / 100) as u8,
            b'0' + (thousandths / 10 % 10) as u8,
            b'0' + (thousandths % 10) as u8,
        ];
        let used = if digits[2] != b'0' {
            3
        } else if digits[1] != b'0' {
            2
        } else {
            1
        };
        out.push(b'.');
        out.extend_from_slice(&digits[..used]);
    }
    true
}

/// Where krilla's text object starting at `at` ends (the index after its `Q`), with the
/// operations that set its state: `q`, `cm`, one fill-colour operator, `BT`, `Tr`, `Tf`,
/// then `Tm` with `TJ` or `Tj` once or more, `ET`, `Q`.
fn text_object(ops: &[Operation], at: usize) -> Option<(usize, [&Operation; 4])> {
    let [q, cm, colour, bt, tr, tf] = ops.get(at..at + 6)? else {
        return None;
    };
    let fill = matches!(colour.operator.as_str(), "rg" | "g" | "k" | "sc" | "scn");
    if !(q.operator == "q"
        && cm.operator == "cm"
        && fill
        && bt.operator == "BT"
        && tr.operator == "Tr"
        && tf.operator == "Tf")
    {
        return None;
    }
    let mut i = at + 6;
    while let [tm, show, ..] = &ops[i..] {
        if tm.operator != "Tm" || !matches!(show.operator.as_str(), "TJ" | "Tj") {
            break;
        }
        i += 2;
    }
    let [et, end_q, ..] = &ops[i..] else {
        return None;
    };
    (i > at + 6 && et.operator == "ET" && end_q.operator == "Q")
        .then_some((i + 2, [cm, colour, tr, tf]))
}

/// A screen page's content with fewer operators and the same drawing, and the same fill
/// and stroke colour operators in the same order (the soft proof pairs a screen file's
/// colour operators with its print file's one by one, and print files are not tightened):
/// - krilla wraps every run of glyphs in `q cm rg BT Tr Tf Tm TJ ET Q`; a run that follows
///   another at once in the same transform and rendering mode joins its text object,
///   keeping its colour operator (the same colour set again is no change), and its font
///   operator where the font or size changes: `… TJ rg Tm TJ ET Q`, `… TJ rg Tf Tm TJ ET Q`.
///   A Korean or Arabic line is a run per word and a run per space (the spaces are the text
///   face's), and each had been a text object of its own: 600 on a flyer's page;
/// - a `Tr` that sets the rendering mode already in force goes (each text object set
///   `0 Tr`, the mode a page starts in);
/// - where every operation outside `q … Q` is a marked-content boundary and every top-level
///   `q` is followed by the same `cm` (krilla's flip to its y-down space), that `cm` is set
///   once around the whole page instead.
fn tighten_content(mut ops: Vec<Operation>) -> Vec<Operation> {
    // Every step only drops operations (and the last adds the page's `q cm … Q`): which
    // ones stay is worked out first, then they are moved, not copied.
    let mut keep = vec![true; ops.len()];
    // Joined text objects: the `ET Q` of one and the `q cm BT Tr Tf` of the next go.
    let mut at = 0;
    let mut open: Option<[&Operation; 4]> = None;
    while at < ops.len() {
        let Some((end, state)) = text_object(&ops, at) else {
            open = None;
            at += 1;
            continue;
        };
        let [cm, _, tr, tf] = state;
        if let Some([c, _, t, f]) = open
            && c.operands == cm.operands
            && t.operands == tr.operands
        {
            keep[at - 2..at].fill(false);
            for i in [at, at + 1, at + 3, at + 4] {
                keep[i] = false;
            }
            // The font in force carries over within the joined object.
            keep[at + 5] = f.operands != tf.operands;
        }
        open = Some(state);
        at = end;
    }
    // Rendering modes set again.
    let mut mode = vec![Object::Integer(0)];
    for (op, keep) in ops.iter().zip(keep.iter_mut()) {
        if !*keep {
            continue;
        }
        match op.operator.as_str() {
            "q" => mode.push(mode.last().cloned().unwrap_or(Object::Integer(0))),
            "Q" if mode.len() > 1 => {
                mode.pop();
            }
            "Tr" => match (mode.last_mut(), op.operands.as_slice()) {
                (Some(current), [value]) if value == current => *keep = false,
                (Some(current), [value]) => *current = value.clone(),
                _ => {}
            },
            _ => {}
        }
    }
    // One page transform.
    let transform = hoisted_transform(&ops, &mut keep);
    // In place: a CJK page's operations were the whole kit's peak of memory.
    let mut flags = keep.into_iter();
    ops.retain(|_| flags.next().unwrap_or(true));
    if let Some(transform) = transform {
        ops.splice(
            0..0,
            [Operation::new("q", vec![]), Operation::new("cm", transform)],
        );
        ops.push(Operation::new("Q", vec![]));
    }
    ops
}

/// The last step of [`tighten_content`]: where every kept operation outside `q … Q` is a
/// marked-content boundary and every top-level `q` is followed by the same `cm`, those
/// `cm`s are no longer kept and their operands come back, to be set once around the page.
fn hoisted_transform(ops: &[Operation], keep: &mut [bool]) -> Option<Vec<Object>> {
    let mut depth = 0usize;
    let mut transform: Option<&Vec<Object>> = None;
    let mut top_cm = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        match op.operator.as_str() {
            "q" => {
                if depth == 0 {
                    let next = (i + 1..ops.len()).find(|&k| keep[k])?;
                    let cm = Some(&ops[next]).filter(|o| o.operator == "cm")?;
                    if transform.is_some_and(|t| *t != cm.operands) {
                        return None;
                    }
                    transform = Some(&cm.operands);
                    top_cm.push(next);
                }
                depth += 1;
            }
            "Q" => depth = depth.checked_sub(1)?,
            "BMC" | "BDC" | "EMC" | "MP" | "DP" => {}
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    let transform = transform?.clone();
    for i in top_cm {
        keep[i] = false;
    }
    Some(transform)
}

/// A page's content decoded into the operations lopdf's `Content::decode` gives, for the
/// part of the syntax krilla writes: numbers, names, literal strings, hexadecimal strings
/// of whole bytes (krilla writes a run's glyph ids in hex where they are not printable:
/// most of a Korean or Chinese page), arrays, dictionaries and operators. Anything else (a
/// comment, an escaped name, an inline image, `true`/`false`/`null`, a reference, white
/// space or an odd digit in a hexadecimal string) gives `None`, and lopdf's own parser
/// decodes the stream. lopdf's parser is general and slow: it took a tenth of a batch's
/// time, more than rounding the numbers saved in writing, and its operations for a
/// Korean flyer's page were the whole kit's peak of memory (4 MB).
fn decode_plain_content(data: &[u8]) -> Option<lopdf::content::Content> {
    let mut lexer = ContentLexer { data, at: 0 };
    let mut operations = Vec::new();
    let mut operands = Vec::new();
    loop {
        lexer.skip_white();
        let Some(&c) = lexer.data.get(lexer.at) else {
            break;
        };
        if c.is_ascii_alphabetic() || b"*'\"".contains(&c) {
            let start = lexer.at;
            while lexer
                .data
                .get(lexer.at)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || b"*'\"".contains(&c))
            {
                lexer.at += 1;
            }
            let operator = std::str::from_utf8(&lexer.data[start..lexer.at]).ok()?;
            if matches!(operator, "true" | "false" | "null" | "BI" | "R") {
                return None;
            }
            operations.push(lopdf::content::Operation {
                operator: operator.to_string(),
                operands: std::mem::take(&mut operands),
            });
        } else {
            operands.push(lexer.object(0)?);
        }
    }
    // Operands with no operator after them: lopdf stops before them; so do we, by asking it.
    operands
        .is_empty()
        .then_some(lopdf::content::Content { operations })
}

struct ContentLexer<'a> {
    data: &'a [u8],
    at: usize,
}

impl ContentLexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.data.get(self.at).copied()
    }

    fn skip_white(&mut self) {
        while self.peek().is_some_and(|c| b" \t\n\r\0\x0C".contains(&c)) {
            self.at += 1;
        }
    }

    /// One object and the white space after it.
    fn object(&mut self, depth: usize) -> Option<Object> {
        if depth > 32 {
            return None;
        }
        let object = match self.peek()? {
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number()?,
            b'/' => {
                self.at += 1;
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|c| !b" \t\n\r\0\x0C()<>[]{}/%".contains(&c))
                {
                    self.at += 1;
                }
                let name = &self.data[start..self.at];
                if name.contains(&b'#') {
                    return None;
                }
                Object::Name(name.to_vec())
            }
            b'(' => Object::string_literal(self.literal_string()?),
            b'[' => {
                self.at += 1;
                self.skip_white();
                let mut items = Vec::new();
                while self.peek()? != b']' {
                    items.push(self.object(depth + 1)?);
                }
                self.at += 1;
                Object::Array(items)
            }
            b'<' if self.data.get(self.at + 1) != Some(&b'<') => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.at += 1;
                }
                let digits = &self.data[start..self.at];
                if self.peek()? != b'>' || !digits.len().is_multiple_of(2) {
                    return None;
                }
                self.at += 1;
                let value = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
                let bytes = digits
                    .chunks(2)
                    .map(|pair| Some((value(pair[0])? << 4) | value(pair[1])?))
                    .collect::<Option<Vec<u8>>>()?;
                Object::String(bytes, lopdf::StringFormat::Hexadecimal)
            }
            b'<' => {
                self.at += 2;
                self.skip_white();
                let mut dict = lopdf::Dictionary::new();
                while self.peek()? != b'>' {
                    let Object::Name(key) = self.object(depth + 1)? else {
                        return None;
                    };
                    let value = self.object(depth + 1)?;
                    dict.set(key, value);
                }
                if self.data.get(self.at + 1) != Some(&b'>') {
                    return None;
                }
                self.at += 2;
                Object::Dictionary(dict)
            }
            _ => return None,
        };
        self.skip_white();
        Some(object)
    }

    /// A number as lopdf reads one: a real when it has a point, else an integer. Two
    /// numbers and `R` (a reference) never occur in page content; `R` ends the decode.
    fn number(&mut self) -> Option<Object> {
        let start = self.at;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.at += 1;
        }
        let digits = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let whole = self.at - digits;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let fraction = self.at;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1;
            }
            // lopdf reads `0.00-41` as one number; not ours to imitate.
            if self.peek() == Some(b'-') || (whole == 0 && self.at == fraction) {
                return None;
            }
            let text = std::str::from_utf8(&self.data[start..self.at]).ok()?;
            return text.parse::<f32>().ok().map(Object::Real);
        }
        if whole == 0 {
            return None;
        }
        let text = std::str::from_utf8(&self.data[start..self.at]).ok()?;
        text.parse::<i64>().ok().map(Object::Integer)
    }

    /// A literal string's bytes as lopdf reads them: escapes resolved, a line end written
    /// inside it read as `\n`, balanced parentheses kept.
    fn literal_string(&mut self) -> Option<Vec<u8>> {
        self.at += 1;
        let mut out = Vec::new();
        let mut open = 0usize;
        loop {
            let c = self.peek()?;
            self.at += 1;
            match c {
                b'(' => {
                    open += 1;
                    out.push(c);
                }
                b')' if open == 0 => return Some(out),
                b')' => {
                    open -= 1;
                    out.push(c);
                }
                b'\r' | b'\n' => {
                    if c == b'\r' && self.peek() == Some(b'\n') {
                        self.at += 1;
                    }
                    out.push(b'\n');
                }
                b'\\' => {
                    let e = self.peek()?;
                    self.at += 1;
                    match e {
                        b'0'..=b'7' => {
                            let mut value = u16::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        value = value * 8 + u16::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(value as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.at += 1;
                            }
                        }
                        b'\n' => {}
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0C),
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

/// A file written elsewhere with its page content rounded as [`lean_screen_file`] rounds
/// it: a poster's tile sheets (`render::sheets_to_pdf`) draw the poster's content again, and a renderer that snaps glyphs
/// to subpixel steps must see the same numbers in both to draw the same pixels. A file
/// lopdf cannot read or write is returned unchanged. Its mark information loses
/// `/Suspects false` too (see [`drop_false_suspects`]).
pub fn round_numbers(file: Vec<u8>) -> Vec<u8> {
    let Ok(mut pdf) = Document::load_mem(&file) else {
        return file;
    };
    round_page_content(&mut pdf);
    drop_false_suspects(&mut pdf);
    let mut out = Vec::with_capacity(file.len());
    match pdf.save_to(&mut out) {
        Ok(()) => out,
        Err(_) => file,
    }
}

/// A ToUnicode map as a PDF reader reads it: its code space and its `bfchar`/`bfrange`
/// entries. Dropped: the PostScript comments, and the `CIDSystemInfo` dictionary,
/// `CMapVersion` and `WMode 0` (the default) that a ToUnicode map inherits from the CMap
/// file format but no reader of one consults (ISO 32000-1 9.10.3 asks only for the
/// mappings); ~80 bytes of each font's map once deflated. Any other line is kept.
fn lean_cmap(plain: &[u8]) -> Vec<u8> {
    let mut lean = Vec::with_capacity(plain.len());
    let mut in_system_info = false;
    for line in plain.split_inclusive(|&b| b == b'\n') {
        let text = line.trim_ascii();
        if in_system_info {
            in_system_info = text != b"end def";
            continue;
        }
        if text.starts_with(b"/CIDSystemInfo") && text.ends_with(b"begin") {
            in_system_info = true;
            continue;
        }
        let dropped =
            text.starts_with(b"%") || text.starts_with(b"/CMapVersion ") || text == b"/WMode 0 def";
        if !dropped {
            lean.extend_from_slice(line);
        }
    }
    if in_system_info {
        // The dictionary never ended: not a map we understand; keep it whole.
        return plain.to_vec();
    }
    lean
}

/// ToUnicode maps without their PostScript comments (`%%Title`, `%%BeginResource`, …):
/// DSC comments for a PostScript printer that no PDF reader consults, ~200 bytes a font.
fn strip_cmap_comments(pdf: &mut Document) {
    let maps: Vec<lopdf::ObjectId> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has_type(b"Font"))
        .filter_map(|d| d.get(b"ToUnicode").and_then(Object::as_reference).ok())
        .collect();
    for id in maps {
        let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) else {
            continue;
        };
        let Ok(plain) = stream.decompressed_content() else {
            continue;
        };
        let lean = lean_cmap(&plain);
        if lean.len() < plain.len() {
            stream.set_plain_content(lean);
            compress_shared(stream);
        }
    }
}

/// A CID font's glyph widths (`W`) written compactly: each run of consecutive glyphs as
/// `first [w1 w2 …]` rather than krilla's `c c w` for every glyph, and each width rounded
/// as page content is (krilla writes f32 noise such as `505.99997` for 506). The same
/// widths for every glyph; a third fewer bytes in the fonts' dictionaries. A `W` array
/// that is not well formed is left as it is.
fn compact_widths(pdf: &mut Document) {
    for object in pdf.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        if !dict.has_type(b"Font") {
            continue;
        }
        let Ok(Object::Array(entries)) = dict.get(b"W") else {
            continue;
        };
        if let Some(compact) = compact_width_array(entries) {
            dict.set("W", Object::Array(compact));
        }
    }
}

fn compact_width_array(entries: &[Object]) -> Option<Vec<Object>> {
    let number = |o: &Object| -> Option<f32> {
        match o {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    };
    let cid = |o: &Object| -> Option<i64> {
        match o {
            Object::Integer(i) if *i >= 0 => Some(*i),
            _ => None,
        }
    };
    // (glyph, width) in the order given.
    let mut widths: Vec<(i64, f32)> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let first = cid(&entries[i])?;
        match entries.get(i + 1)? {
            Object::Array(list) => {
                for (k, w) in list.iter().enumerate() {
                    widths.push((first + k as i64, number(w)?));
                }
                i += 2;
            }
            last => {
                let last = cid(last)?;
                let w = number(entries.get(i + 2)?)?;
                if last < first || last - first > 0xFFFF {
                    return None;
                }
                widths.extend((first..=last).map(|c| (c, w)));
                i += 3;
            }
        }
    }
    let mut out: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut next = None;
    for (c, w) in widths {
        if next != Some(c) {
            if !run.is_empty() {
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            out.push(Object::Integer(c));
        }
        // Thousandths of an em: whole numbers for every face of the kit.
        let r = (f64::from(w) * 1000.0).round() / 1000.0;
        run.push(if r.fract() == 0.0 && r.abs() < 1e9 {
            Object::Integer(r as i64)
        } else {
            Object::Real(r as f32)
        });
        next = Some(c + 1);
    }
    if !run.is_empty() {
        out.push(Object::Array(run));
    }
    Some(out)
}

/// PDF/UA-1 asks for none of this; PDF/A does (or forbids the alternative):
/// - a font descriptor's `CIDSet` (PDF/A-1 requires it, PDF/A-2 checks it if present);
///   the objects after them are numbered anew, so the cross-reference stream has no gaps
///   to list (one `/Index` range instead of one per CIDSet);
/// - an uncompressed XMP metadata stream (PDF/A keeps it readable to file-level tools);
/// - the XMP entries that repeat the Info dictionary and the file (see [`lean_xmp`]).
fn drop_archival_extras(pdf: &mut Document) {
    let mut cid_sets = Vec::new();
    for object in pdf.objects.values_mut() {
        if let Ok(dict) = object.as_dict_mut()
            && dict.has_type(b"FontDescriptor")
            && let Some(Object::Reference(id)) = dict.remove(b"CIDSet")
        {
            cid_sets.push(id);
        }
    }
    for id in cid_sets {
        pdf.objects.remove(&id);
    }
    pdf.renumber_objects();
    let metadata = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|m| m.as_reference().ok());
    if let Some(id) = metadata
        && let Ok(Object::Stream(stream)) = pdf.get_object_mut(id)
    {
        if let Some(lean) = stream
            .decompressed_content()
            .ok()
            .and_then(|plain| lean_xmp(&plain))
        {
            stream.set_plain_content(lean);
        }
        compress(stream);
    }
}

/// What the XMP packet of a file that is not archival keeps: its title, language and PDF/UA
/// part, which PDF/UA-1 asks for (the title shown in the window, `dc:title`; the part,
/// `pdfuaid:part`). The rest krilla writes repeats the Info dictionary (author, subject,
/// creator tool, dates) or the file itself (page count, PDF version, format, the IDs that
/// are the trailer's `/ID`, the rendition class), and `x:xmptk` names the library that
/// wrote it: nearly half the packet once deflated. PDF/A
/// asks for all of it, so archival files keep the packet whole. `None` when the packet
/// does not look like the one krilla writes.
const XMP_DROPPED: [&str; 11] = [
    "dc:description",
    "dc:creator",
    "dc:format",
    "xmp:CreatorTool",
    "xmp:ModifyDate",
    "xmp:CreateDate",
    "xmpMM:InstanceID",
    "xmpMM:DocumentID",
    "xmpMM:RenditionClass",
    "xmpTPg:NPages",
    "pdf:PDFVersion",
];

fn lean_xmp(plain: &[u8]) -> Option<Vec<u8>> {
    let mut xmp = std::str::from_utf8(plain).ok()?.to_string();
    for name in ["dc:title", "pdfuaid:part"] {
        xmp.contains(&format!("<{name}>")).then_some(())?;
    }
    for name in XMP_DROPPED {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        if let Some(start) = xmp.find(&open) {
            let end = start + xmp[start..].find(&close)? + close.len();
            xmp.replace_range(start..end, "");
        }
    }
    // The name of the toolkit that wrote the packet (`x:xmptk`, optional).
    if let Some(start) = xmp.find(" x:xmptk=\"") {
        let value = start + " x:xmptk=\"".len();
        let end = value + xmp[value..].find('"')? + 1;
        xmp.replace_range(start..end, "");
    }
    // Namespaces nothing uses any more.
    for prefix in ["xmp", "xmpMM", "xmpTPg", "pdf"] {
        if xmp.contains(&format!("<{prefix}:")) {
            continue;
        }
        let declaration = format!(" xmlns:{prefix}=\"");
        if let Some(start) = xmp.find(&declaration) {
            let value = start + declaration.len();
            let end = value + xmp[value..].find('"')? + 1;
            // The white space before it goes too (xmp-writer puts two spaces).
            let start = xmp[..start].trim_end_matches(' ').len();
            xmp.replace_range(start..end, "");
        }
    }
    (xmp.len() < plain.len()).then(|| xmp.into_bytes())
}

/// The lean steps on a screen file before it is saved: rounded page content and ToUnicode
/// maps without comments always; for a file that is not archival (PDF/A) as well, no CID
/// sets and a lean, deflated XMP packet.
pub fn lean_screen_file(pdf: &mut Document, archival: bool) {
    rewrite_page_content(pdf, !archival);
    drop_false_suspects(pdf);
    strip_cmap_comments(pdf);
    compact_widths(pdf);
    if !archival {
        drop_archival_extras(pdf);
    }
    deflate_plain_streams(pdf);
}

/// Takes `/Suspects false` out of the catalog's mark information, where krilla writes it.
/// False is what an absent entry means (ISO 32000-1, 14.7.1; PDF/UA-1 and PDF/A-2a ask
/// only that it not be true), and poppler's tools (`pdfinfo`, 22.12 here) print "Syntax
/// Error: Suspects object is wrong type (boolean)" for it, on every file, to whoever
/// checks one: the check it fails reads a false boolean as not a boolean.
pub fn drop_false_suspects(pdf: &mut Document) {
    let mark_info = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"MarkInfo").ok())
        .cloned();
    let dict = match mark_info {
        Some(Object::Reference(id)) => pdf.get_dictionary_mut(id).ok(),
        Some(Object::Dictionary(_)) => pdf
            .catalog_mut()
            .ok()
            .and_then(|c| c.get_mut(b"MarkInfo").ok())
            .and_then(|m| m.as_dict_mut().ok()),
        _ => None,
    };
    if let Some(dict) = dict
        && matches!(dict.get(b"Suspects"), Ok(Object::Boolean(false)))
    {
        dict.remove(b"Suspects");
    }
}

/// krilla writes a screen file's content streams plain (`render` asks it to: the steps
/// above deflate what they rewrite); whatever they did not rewrite — a page whose content
/// lopdf could not parse, a form or pattern — is deflated here. The XMP metadata stays as
/// the steps above left it (plain in an archival file).
fn deflate_plain_streams(pdf: &mut Document) {
    for object in pdf.objects.values_mut() {
        if let Object::Stream(stream) = object
            && !stream.dict.has_type(b"Metadata")
        {
            compress(stream);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Where the parts of an undeflated stream object lopdf wrote lie, from the start of its
/// dictionary (`<<`): the dictionary up to its `/Length` entry, which lopdf writes last,
/// and the data.
struct PlainStream {
    /// `<<` … up to (not including) `/Length N>>`.
    dict_head: std::ops::Range<usize>,
    data: std::ops::Range<usize>,
}

fn plain_stream(object: &[u8]) -> Option<PlainStream> {
    let dict_at = find(object, b"<<")?;
    let stream_kw = dict_at + find(&object[dict_at..], b">>stream")?;
    let dict = &object[dict_at..stream_kw + 2];
    if find(dict, b"/Filter").is_some() {
        return None;
    }
    let length_at = rfind(dict, b"/Length ")?;
    let length: usize = std::str::from_utf8(&dict[length_at + 8..dict.len() - 2])
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let mut data_at = stream_kw + b">>stream".len();
    if object.get(data_at) == Some(&b'\r') {
        data_at += 1;
    }
    if object.get(data_at) != Some(&b'\n') {
        return None;
    }
    data_at += 1;
    let data_end = data_at.checked_add(length)?;
    object.get(data_at..data_end)?;
    Some(PlainStream {
        dict_head: dict_at..dict_at + length_at,
        data: data_at..data_end,
    })
}

/// The offset `startxref` gives, and where the `startxref` keyword is.
fn xref_start(file: &[u8]) -> Option<(usize, usize)> {
    let tail_at = rfind(file, b"startxref")?;
    let start = std::str::from_utf8(&file[tail_at + 9..])
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some((start, tail_at))
}

/// The file's cross-reference stream as lopdf writes it, undeflated and last: where it
/// starts (what `startxref` says), where `startxref` is, its bytes and its parts.
struct PlainXref<'f> {
    start: usize,
    tail_at: usize,
    object: &'f [u8],
    stream: PlainStream,
}

fn plain_xref(file: &[u8]) -> Option<PlainXref<'_>> {
    let (start, tail_at) = xref_start(file)?;
    let object = file.get(start..tail_at)?;
    let stream = plain_stream(object)?;
    find(&object[stream.dict_head.clone()], b"/XRef")?;
    Some(PlainXref {
        start,
        tail_at,
        object,
        stream,
    })
}

/// lopdf is asked to write the object stream undeflated (its own deflating sets up a new
/// zlib deflater for every file); this deflates it with ours, in place. The object stream
/// is found through the cross-reference stream (still undeflated, `/W[1 4 2]`): the
/// container its compressed objects name, at the offset its row gives. The objects after
/// it (lopdf writes only the cross-reference stream there) move back by as much as it
/// shrank: their rows and `startxref` say so. A file not laid out so is returned unchanged.
pub fn deflate_object_stream(file: Vec<u8>) -> Vec<u8> {
    deflated_object_stream(&file).unwrap_or(file)
}

fn deflated_object_stream(file: &[u8]) -> Option<Vec<u8>> {
    // The cross-reference stream, still undeflated: a row of 1 + 4 + 2 bytes for each
    // object its `/Index` names.
    let PlainXref {
        start,
        tail_at,
        object: xref,
        stream: rows,
    } = plain_xref(file)?;
    let xref_dict = &xref[rows.dict_head.clone()];
    let table = &xref[rows.data.clone()];
    if find(xref_dict, b"/W[1 4 2]").is_none() || table.len() % 7 != 0 {
        return None;
    }
    let numbers = index_numbers(xref_dict, table.len() / 7)?;
    if numbers.len() != table.len() / 7 {
        return None;
    }
    let field = |row: &[u8]| u32::from_be_bytes([row[1], row[2], row[3], row[4]]);
    // The object stream is found where the table says it is, never by searching the text:
    // a string in a dictionary (a font's name) may hold `/Type/ObjStm` too. It is the one
    // container the compressed objects (type 2 rows) name.
    let mut container = None;
    for row in table.chunks(7).filter(|row| row[0] == 2) {
        if container.is_some_and(|c| c != field(row)) {
            return None;
        }
        container = Some(field(row));
    }
    let container = container?;
    let row = table
        .chunks(7)
        .zip(&numbers)
        .find(|(_, n)| **n == container)?
        .0;
    let object_at = usize::try_from(field(row)).ok()?;
    if row[0] != 1
        || !file
            .get(object_at..)?
            .starts_with(format!("{container} 0 obj").as_bytes())
    {
        return None;
    }
    let object = file.get(object_at..start)?;
    let stream = plain_stream(object)?;
    if find(&object[stream.dict_head.clone()], b"/Type/ObjStm").is_none()
        || !object[stream.data.end..].starts_with(b"\nendstream")
    {
        return None;
    }
    let deflated = deflate(&object[stream.data.clone()])?;
    if deflated.len() + 19 >= stream.data.len() {
        return None;
    }
    let mut out = Vec::with_capacity(file.len());
    out.extend_from_slice(&file[..object_at + stream.dict_head.end]);
    out.extend_from_slice(
        format!("/Filter/FlateDecode/Length {}>>stream\n", deflated.len()).as_bytes(),
    );
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&object[stream.data.end..]);
    let new_start = out.len();
    // Everything after the object stream moves back by as much as it shrank.
    let shrunk = start - new_start;
    let mut moved = table.to_vec();
    for row in moved.chunks_mut(7) {
        let offset = usize::try_from(field(row)).ok()?;
        if row[0] == 1 && offset > object_at {
            let to = u32::try_from(offset.checked_sub(shrunk)?).ok()?;
            row[1..5].copy_from_slice(&to.to_be_bytes());
        }
    }
    out.extend_from_slice(&xref[..rows.data.start]);
    out.extend_from_slice(&moved);
    out.extend_from_slice(&xref[rows.data.end..]);
    // `startxref`, the new offset, and what followed the old one (`%%EOF`).
    let tail = &file[tail_at + b"startxref".len()..];
    let number_end = tail
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|at| {
            let digits = tail[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            (digits > 0).then_some(at + digits)
        })?;
    out.extend_from_slice(format!("startxref\n{new_start}").as_bytes());
    out.extend_from_slice(&tail[number_end..]);
    Some(out)
}

/// The object numbers a cross-reference stream's `rows` are for, in order, from its
/// `/Index[first count …]` (lopdf always writes one); `None` if it names more.
fn index_numbers(dict: &[u8], rows: usize) -> Option<Vec<u32>> {
    let at = find(dict, b"/Index[")? + b"/Index[".len();
    let end = at + find(&dict[at..], b"]")?;
    let values: Vec<u32> = std::str::from_utf8(&dict[at..end])
        .ok()?
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    if !values.len().is_multiple_of(2) {
        return None;
    }
    let mut numbers = Vec::new();
    for pair in values.chunks(2) {
        if numbers.len() + pair[1] as usize > rows {
            return None;
        }
        numbers.extend(pair[0]..pair[0].checked_add(pair[1])?);
    }
    Some(numbers)
}

/// lopdf writes the cross-reference stream (the file's last object) uncompressed; this
/// deflates it in place. Nothing before it moves, so every offset it holds stays true. A
/// file whose tail is not laid out as expected is returned unchanged.
pub fn deflate_xref_stream(file: Vec<u8>) -> Vec<u8> {
    deflated_xref(&file).unwrap_or(file)
}

fn deflated_xref(file: &[u8]) -> Option<Vec<u8>> {
    let PlainXref {
        start,
        tail_at,
        object,
        stream,
    } = plain_xref(file)?;
    let dict = &object[stream.dict_head.clone()];
    let data = &object[stream.data.clone()];
    let after = &object[stream.data.end..];
    // Rows of 1 + 4 + 2 bytes (lopdf's `/W`): each row as its difference from the one
    // above (the PNG "up" predictor), which turns the offsets' high bytes into zeros.
    let row = 7;
    let predicted = find(dict, b"/W[1 4 2]").is_some() && data.len() % row == 0;
    let data = if predicted {
        let mut up = Vec::with_capacity(data.len() + data.len() / row);
        for (i, line) in data.chunks(row).enumerate() {
            up.push(2);
            for (j, &byte) in line.iter().enumerate() {
                let above = if i == 0 { 0 } else { data[(i - 1) * row + j] };
                up.push(byte.wrapping_sub(above));
            }
        }
        up
    } else {
        data.to_vec()
    };
    let mut deflated = lopdf::Stream::new(lopdf::Dictionary::new(), data);
    compress(&mut deflated);
    if deflated.dict.get(b"Filter").is_err() {
        return None;
    }
    let parms = if predicted {
        "/DecodeParms<</Columns 7/Predictor 12>>"
    } else {
        ""
    };
    let mut out = Vec::with_capacity(file.len());
    out.extend_from_slice(&file[..start + stream.dict_head.start]);
    out.extend_from_slice(dict);
    out.extend_from_slice(
        format!(
            "/Filter/FlateDecode{parms}/Length {}>>",
            deflated.content.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(b"stream\n");
    out.extend_from_slice(&deflated.content);
    out.extend_from_slice(after);
    out.extend_from_slice(&file[tail_at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn tightened(content: &str) -> String {
        let ops = decode_plain_content(content.as_bytes()).unwrap().operations;
        let content = lopdf::content::Content {
            operations: tighten_content(ops),
        };
        String::from_utf8(content.encode().unwrap()).unwrap()
    }

    /// A Korean line as krilla writes it: a run per word in the CJK face and a run per space
    /// in the text face. One text object, each font set where it changes and only there.
    #[test]
    fn runs_in_alternating_fonts_share_one_text_object() {
        let run = |font: &str, x: u32| {
            format!(
                "q\n1 0 0 -1 0 792 cm\n0 g\nBT\n0 Tr\n{font} 30 Tf\n1 0 0 -1 {x} 98 Tm\n<0001> Tj\nET\nQ\n"
            )
        };
        let page = [
            run("/f0", 36),
            run("/f2", 47),
            run("/f0", 55),
            run("/f0", 80),
        ]
        .concat();
        let text = tightened(&page);
        let ops: Vec<&str> = text.lines().collect();
        assert_eq!(ops.iter().filter(|op| **op == "BT").count(), 1, "{ops:?}");
        let fonts: Vec<&str> = ops
            .iter()
            .copied()
            .filter(|op| op.ends_with(" Tf"))
            .collect();
        assert_eq!(fonts, ["/f0 30 Tf", "/f2 30 Tf", "/f0 30 Tf"], "{ops:?}");
        assert_eq!(ops.iter().filter(|op| op.ends_with(" Tj")).count(), 4);
    }

    #[test]
    fn text_objects_join_keep_their_colours_and_share_one_transform() {
        let line = |colour: &str, font: &str, y: u32| {
            format!(
                "q\n1 0 0 -1 0 792 cm\n{colour} rg\nBT\n0 Tr\n{font} 10 Tf\n1 0 0 -1 48 {y} Tm\n[(a) 20(b)] TJ\nET\nQ\n"
            )
        };
        let page = format!(
            "/Span <</MCID 0>> BDC\n{}{}{}EMC\n/Span <</MCID 1>> BDC\n{}EMC\n/Artifact BMC\nq\n1 0 0 -1 0 792 cm\n1 0 0 rg\n0 0 m\n9 9 l\nf\nQ\nEMC",
            line("0.1 0.1 0.1", "/f0", 100),
            line("0.1 0.1 0.1", "/f0", 114),
            line("0.1 0.1 0.1", "/f1", 128),
            line("0.1 0.1 0.1", "/f1", 142),
        );
        assert_eq!(
            tightened(&page),
            [
                "q",
                "1 0 0 -1 0 792 cm",
                "/Span <</MCID 0>> BDC",
                // The first two lines share one object; the colour is set again.
                "q",
                "0.1 0.1 0.1 rg",
                "BT",
                "/f0 10 Tf",
                "1 0 0 -1 48 100 Tm",
                "[(a) 20(b)] TJ",
                "0.1 0.1 0.1 rg",
                "1 0 0 -1 48 114 Tm",
                "[(a) 20(b)] TJ",
                // Another font joins too, setting its font.
                "0.1 0.1 0.1 rg",
                "/f1 10 Tf",
                "1 0 0 -1 48 128 Tm",
                "[(a) 20(b)] TJ",
                "ET",
                "Q",
                "EMC",
                // A marked-content boundary keeps the next line apart.
                "/Span <</MCID 1>> BDC",
                "q",
                "0.1 0.1 0.1 rg",
                "BT",
                "/f1 10 Tf",
                "1 0 0 -1 48 142 Tm",
                "[(a) 20(b)] TJ",
                "ET",
                "Q",
                "EMC",
                "/Artifact BMC",
                "q",
                "1 0 0 rg",
                "0 0 m",
                "9 9 l",
                "f",
                "Q",
                "EMC",
                "Q",
            ]
            .join("\n")
        );
        // Drawing outside `q … Q`, or another transform: the page keeps its `cm`s.
        let loose = format!("{}0 0 m\n", line("0 0 0", "/f0", 100));
        assert!(tightened(&loose).starts_with("q\n1 0 0 -1 0 792 cm\n0 0 0 rg"));
        let other = format!("{}q\n2 0 0 2 0 0 cm\nQ", line("0 0 0", "/f0", 100));
        assert_eq!(tightened(&other).matches(" cm").count(), 2);
        // A rendering mode other than the page's is kept.
        let stroked = line("0 0 0", "/f0", 100).replace("0 Tr", "1 Tr");
        assert_eq!(tightened(&stroked).matches(" Tr").count(), 1);
    }

    #[test]
    fn numbers_keep_three_decimals_and_small_ones_their_precision() {
        assert_eq!(rounded(-49.99994), Object::Integer(-50));
        assert_eq!(rounded(59.135998), Object::Real(59.136));
        assert_eq!(rounded(0.12156863), Object::Real(0.122));
        assert_eq!(rounded(0.012345), Object::Real(0.012345));
        assert_eq!(rounded(792.0), Object::Integer(792));
    }

    #[test]
    fn page_content_decodes_as_lopdf_decodes_it() {
        let content: &[u8] = b"/Artifact BMC\nq\n1 0 0 -1 0 792 cm\n0.122 0.165 0.361 rg\n-9 -9 m\n.5 -.25 l\nh\nf\nQ\nEMC\n/Span <</MCID 0 /Lang (en)>> BDC\nBT\n/f0 18 Tf\n1 0 0 -1 36 36.636 Tm\n[(a\\(b\\)c) -50(\\r\\n\\t\\\\\\061\\7x) -49.99994(x(y)z) 8(\r\n\r)] TJ\nT*\n(l\\\nine) '\n[<000B0080> -12.5<>] TJ\n<00fFaB>Tj\nET\nEMC";
        let ours = decode_plain_content(content).expect("krilla's syntax");
        let theirs = lopdf::content::Content::decode(content).unwrap();
        assert_eq!(ours.operations.len(), theirs.operations.len());
        for (a, b) in ours.operations.iter().zip(&theirs.operations) {
            assert_eq!(a.operator, b.operator);
            assert_eq!(a.operands, b.operands, "{}", a.operator);
        }
        assert_eq!(ours.encode().unwrap(), theirs.encode().unwrap());
        // What it does not read, lopdf's parser does.
        for other in [
            &b"% a comment\nq"[..],
            b"<00f> Tj",
            b"<00 ff> Tj",
            b"<00fg> Tj",
            b"/A#20B gs",
            b"true x",
            b"BI /W 1 ID x EI",
            b"0.00-41 w",
            b"1 2",
        ] {
            assert!(
                decode_plain_content(other).is_none(),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn page_content_encodes_as_lopdf_encodes_it() {
        use lopdf::StringFormat::{Hexadecimal, Literal};
        let content = b"/Artifact BMC\nq\n1 0 0 -1 0 792 cm\n0.122 0.165 0.361 rg\n-9 -9 m\n.5 -.25 l\nh\nf\nQ\nEMC\n/Span <</MCID 0 /Lang (en)>> BDC\nBT\n/f0 18 Tf\n1 0 0 -1 36 36.636 Tm\n[(a\\(b\\)c) -50(\\r\\n\\t\\\\\\061\\7x) -49.99994(x(y)z) 8(\r\n\r)] TJ\nT*\n(l\\\nine) '\n[<000B0080> -12.5<>] TJ\n<00fFaB>Tj\nET\nEMC";
        let mut operations = decode_plain_content(content).unwrap().operations;
        // What krilla does not write but an operand may hold: each goes to lopdf's writer.
        let odd = vec![
            Object::Null,
            Object::Boolean(true),
            Object::Reference((3, 0)),
            Object::Name(b"A B#(".to_vec()),
            Object::Real(2.0),
            Object::Real(-0.0),
            Object::Real(f32::NAN),
            Object::Real(1e-7),
            Object::Integer(-42),
            Object::String(b"(unbalanced".to_vec(), Literal),
            Object::String(vec![0, 0xff, b'\\'], Hexadecimal),
            Object::Array(vec![
                Object::Name(b"N".to_vec()),
                Object::Integer(1),
                Object::Array(vec![
                    Object::Real(0.5),
                    Object::String(b"s".to_vec(), Literal),
                ]),
                Object::Real(3.25),
            ]),
        ];
        operations.push(Operation::new("x", odd));
        operations.push(Operation::new("y", vec![]));
        let theirs = lopdf::content::Content {
            operations: operations.clone(),
        };
        assert_eq!(
            String::from_utf8_lossy(&encode_content(&operations, 0).unwrap()),
            String::from_utf8_lossy(&theirs.encode().unwrap())
        );
        assert_eq!(encode_content(&[], 0).unwrap(), b"");
    }

    #[test]
    fn short_reals_are_written_as_display_writes_them() {
        let mut written = 0;
        let mut check = |value: f32| {
            let mut ours = Vec::new();
            if write_short_real(&mut ours, value) {
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    value.to_string(),
                    "{value:?}"
                );
                written += 1;
            }
        };
        // Every number `rounded` makes from -200 to 200 by thousandths, and a sample far past
        // the six digits the short path takes.
        for k in -200_000..=200_000 {
            check(rounded_value(k as f64 / 1000.0));
        }
        for k in (-2_000_000_000i64..=2_000_000_000).step_by(7_777) {
            check(rounded_value(k as f64 / 1000.0));
        }
        // Floats of every kind, by their bits.
        let mut bits = 0x9E37_79B9u32;
        for _ in 0..1_000_000 {
            bits = bits.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            check(f32::from_bits(bits));
        }
        assert!(written > 350_000, "the short path wrote {written}");
    }

    fn rounded_value(v: f64) -> f32 {
        match rounded(v as f32) {
            Object::Real(r) => r,
            Object::Integer(i) => i as f32,
            _ => unreachable!(),
        }
    }

    #[test]
    fn widths_are_written_as_runs_of_consecutive_glyphs() {
        let r = Object::Real;
        let i = Object::Integer;
        // krilla's form: `c c w` per glyph, with f32 noise.
        let krilla = vec![
            i(0),
            i(0),
            r(600.0),
            i(1),
            i(1),
            r(505.99997),
            i(2),
            i(2),
            r(550.5),
            i(5),
            i(5),
            i(250),
            i(7),
            i(8),
            i(300),
            i(9),
            Object::Array(vec![i(10), i(11)]),
        ];
        let compact = compact_width_array(&krilla).unwrap();
        assert_eq!(
            compact,
            vec![
                i(0),
                Object::Array(vec![i(600), i(506), r(550.5)]),
                i(5),
                Object::Array(vec![i(250)]),
                i(7),
                Object::Array(vec![i(300), i(300), i(10), i(11)]),
            ]
        );
        // Not a W array: left alone.
        assert_eq!(compact_width_array(&[i(0), i(1)]), None);
        assert_eq!(compact_width_array(&[Object::Name(b"x".to_vec())]), None);
    }

    #[test]
    fn a_tounicode_map_keeps_its_mappings_and_loses_the_cmap_file_boilerplate() {
        let krilla = b"%!PS-Adobe-3.0 Resource-CMap
/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo 3 dict dup begin
    /Registry (Adobe) def
    /Ordering (Identity) def
    /Supplement 0 def
end def
/CMapName /Custom def
/CMapVersion 1 def
/CMapType 0 def
/WMode 0 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfchar
<0001> <0043>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end
";
        let lean = String::from_utf8(lean_cmap(krilla)).unwrap();
        assert_eq!(
            lean,
            "/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Custom def
/CMapType 0 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfchar
<0001> <0043>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"
        );
        // A dictionary that never ends: the map is kept whole.
        let odd = b"/CIDSystemInfo 3 dict dup begin\n/Registry (Adobe) def\n";
        assert_eq!(lean_cmap(odd), odd.to_vec());
    }

    #[test]
    fn the_xmp_packet_keeps_what_pdf_ua_asks_for() {
        let krilla = concat!(
            r#"<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="xmp-writer"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"  xmlns:xmp="http://ns.adobe.com/xap/1.0/"  xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"  xmlns:xmpTPg="http://ns.adobe.com/xap/1.0/t/pg/"  xmlns:pdf="http://ns.adobe.com/pdf/1.3/"  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" >"#,
            r#"<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Hi &amp; bye</rdf:li></rdf:Alt></dc:title><dc:description><rdf:Alt><rdf:li xml:lang="x-default">About</rdf:li></rdf:Alt></dc:description><dc:creator><rdf:Seq><rdf:li>Us</rdf:li></rdf:Seq></dc:creator><xmp:CreatorTool>broadside 0.1.0</xmp:CreatorTool><dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language><xmp:ModifyDate>2027-01-01T00:00:00Z</xmp:ModifyDate><xmp:CreateDate>2027-01-01T00:00:00Z</xmp:CreateDate><pdfuaid:part>1</pdfuaid:part><xmpTPg:NPages>1</xmpTPg:NPages><dc:format>application/pdf</dc:format><xmpMM:InstanceID>m8dBxnwVJScPgmHrOHyZIA==</xmpMM:InstanceID><xmpMM:DocumentID>IsuSWvCSSK1O4B+jcJfGEg==</xmpMM:DocumentID><xmpMM:RenditionClass>proof</xmpMM:RenditionClass><pdf:PDFVersion>1.7</pdf:PDFVersion></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>"#
        );
        let lean = String::from_utf8(lean_xmp(krilla.as_bytes()).unwrap()).unwrap();
        assert_eq!(
            lean,
            concat!(
                r#"<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" >"#,
                r#"<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Hi &amp; bye</rdf:li></rdf:Alt></dc:title><dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language><pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>"#
            )
        );
        // Without the title or the PDF/UA part it is not the packet we know: left alone.
        assert_eq!(
            lean_xmp(b"<x:xmpmeta><pdfuaid:part>1</pdfuaid:part></x:xmpmeta>"),
            None
        );
    }

    /// A document of one page (a catalog, a page tree, a page).
    fn one_page() -> Document {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages,
            "MediaBox" => vec![Object::Integer(0), Object::Integer(0), Object::Integer(10), Object::Integer(10)],
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![Object::from(page)], "Count" => Object::Integer(1) }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        doc
    }

    /// A file as `render::pack` has lopdf write it: its dictionaries in one undeflated object
    /// stream, then an undeflated cross-reference stream.
    fn packed_plain(objects: i64, planted: &[u8]) -> (Document, Vec<u8>) {
        let mut doc = one_page();
        for i in 0..objects {
            doc.add_object(dictionary! { "Value" => Object::Integer(i), "Name" => "Repeated" });
        }
        // A font's name as krilla writes a Type3 font's family: a string, whatever its bytes.
        doc.add_object(dictionary! {
            "FontFamily" => Object::String(planted.to_vec(), lopdf::StringFormat::Literal),
        });
        // A stream after the dictionaries, so that objects lie on both sides of the
        // object stream.
        doc.add_object(lopdf::Stream::new(
            dictionary! {},
            b"0 0 m 10 10 l S".to_vec(),
        ));
        let mut plain = Vec::new();
        doc.save_with_options(&mut plain, crate::render::pack::save_options())
            .unwrap();
        (doc, plain)
    }

    /// The object stream is deflated in place, every cross-reference row still points at
    /// its object (checked byte by byte, not through a reader that might rebuild a broken
    /// table), and a reader gets every object back.
    #[test]
    fn the_object_stream_is_deflated_and_every_offset_stays_true() {
        let (doc, plain) = packed_plain(200, b"Noto Sans");
        let lean = deflate_object_stream(plain.clone());
        assert!(
            lean.len() + 500 < plain.len(),
            "{} vs {}",
            lean.len(),
            plain.len()
        );
        let text = String::from_utf8_lossy(&lean);
        assert!(text.contains("/Type/ObjStm"), "{text}");
        assert!(text.contains("/Filter/FlateDecode"), "{text}");
        // The rows, still undeflated: /W[1 4 2], /Index[first count].
        let (start, _) = xref_start(&lean).unwrap();
        let xref = plain_stream(&lean[start..]).unwrap();
        let dict = String::from_utf8_lossy(&lean[start..][xref.dict_head.clone()]).to_string();
        let index = dict.split("/Index[").nth(1).unwrap();
        let first: usize = index.split([' ', ']']).next().unwrap().parse().unwrap();
        let rows = &lean[start..][xref.data.clone()];
        let mut checked = 0;
        for (i, row) in rows.chunks(7).enumerate() {
            if row[0] != 1 {
                continue;
            }
            let offset = u32::from_be_bytes([row[1], row[2], row[3], row[4]]) as usize;
            let header = format!("{} 0 obj", first + i);
            assert!(
                lean[offset..].starts_with(header.as_bytes()),
                "row {i}: {:?}",
                String::from_utf8_lossy(&lean[offset..offset + 20])
            );
            checked += 1;
        }
        assert!(
            checked >= 3,
            "the stream, the object stream and the xref stream"
        );
        let read = Document::load_mem(&deflate_xref_stream(lean.clone())).unwrap();
        for (id, object) in &doc.objects {
            if let Object::Dictionary(d) = object {
                assert_eq!(read.get_dictionary(*id).unwrap(), d);
            }
        }
        // Already deflated: left alone.
        assert_eq!(deflate_object_stream(lean.clone()), lean);
    }

    /// A string that looks like an object stream (a font's name, chosen by whoever made
    /// the font) is never taken for the real one.
    #[test]
    fn a_string_that_looks_like_an_object_stream_is_not_one() {
        let mut planted = b"X\n<</Type/ObjStm/Length 60>>stream\n".to_vec();
        planted.extend([b'A'; 60]);
        planted.extend(b"\nendstream");
        let (doc, plain) = packed_plain(200, &planted);
        let lean = deflate_xref_stream(deflate_object_stream(plain.clone()));
        assert!(
            lean.len() + 500 < plain.len(),
            "the real object stream is deflated"
        );
        let read = Document::load_mem(&lean).unwrap();
        for (id, object) in &doc.objects {
            if let Object::Dictionary(d) = object {
                assert_eq!(read.get_dictionary(*id).unwrap(), d);
            }
        }
    }

    #[test]
    fn the_xref_stream_is_deflated_and_still_read() {
        let mut doc = one_page();
        // Enough objects for a cross-reference stream worth deflating.
        for i in 0..100 {
            doc.add_object(Object::Integer(i));
        }
        let options = lopdf::SaveOptions {
            use_object_streams: true,
            use_xref_streams: true,
            ..lopdf::SaveOptions::default()
        };
        let mut plain = Vec::new();
        doc.save_with_options(&mut plain, options).unwrap();
        let lean = deflate_xref_stream(plain.clone());
        assert_ne!(lean, plain);
        let text = String::from_utf8_lossy(&lean);
        assert!(
            text.contains("/Type/XRef") || text.contains("/Type /XRef"),
            "{text}"
        );
        assert!(text.contains("/Filter/FlateDecode"), "{text}");
        let read = Document::load_mem(&lean).unwrap();
        assert_eq!(read.get_pages().len(), 1);
        // Already deflated: left alone.
        assert_eq!(deflate_xref_stream(lean.clone()), lean);
    }
}
