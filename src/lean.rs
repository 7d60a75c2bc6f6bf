//! Leaner screen PDFs: the bytes a reader never needs, taken out of krilla's file after it
//! is written (the object-stream packing in `render` calls these). Each step keeps what
//! PDF/UA-1 asks for; the archival (PDF/A) steps are skipped where PDF/A asks for more.

use crate::memo::SeenTwiceMemo;
use lopdf::{Document, Object};
use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex};

thread_local! {
    /// One deflater per thread, kept between streams: setting one up allocates and clears
    /// its tables, which cost more than compressing a flyer's small streams.
    static DEFLATER: RefCell<Option<libdeflater::Compressor>> = const { RefCell::new(None) };
}

/// The level every stream we deflate is deflated at. libdeflate's 5 makes the English
/// flyer 75 bytes (0.4%) and the whole kit 0.27% larger than its 6, and took 0.93× the
/// wall time of a 59-flyer batch and 0.95× of one flyer (deflating a flyer's streams is a
/// tenth of its work and more). Its 6 already deflated smaller than zlib's best (9); its 4
/// is 364 bytes larger again (the flyer past 20,000 bytes), its 9 0.3% smaller for 2.5%
/// more CPU, 10 to 12 (near-optimal parsing) 1.5% smaller at five times the time.
const LEVEL: i32 = 5;

/// The most entries a dictionary in page content may have for the flat reader (see
/// `ContentLexer`); past it the stream is left as it is, deflated.
const MAX_DICTIONARY_KEYS: usize = 64;

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
fn rounded(value: f32) -> Operand<'static> {
    if !value.is_finite() || value.abs() < 0.1 {
        return Operand::Real(value);
    }
    let r = (f64::from(value) * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e9 {
        Operand::Integer(r as i64)
    } else {
        Operand::Real(r as f32)
    }
}

/// Rewrites every page's content stream with rounded numbers, deflated at [`LEVEL`].
/// A stream we cannot parse keeps its bytes (deflated if it was not).
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
        let Ok(mut plain) = stream.decompressed_content() else {
            continue;
        };
        let size = plain.len();
        // Content `decode_plain_content` does not read is not krilla's: it is left as it is
        // rather than read a second, slower way.
        if let Some(mut content) = decode_plain_content(&mut plain) {
            if tighten {
                let operations = std::mem::take(&mut content.operations);
                content.operations = tighten_content(operations, &content.operands);
            }
            stream.set_plain_content(encode_content(&content, size));
        }
        compress(stream);
    }
}

/// A page's content read for rewriting, flat: each operation names its operator and a
/// range of `operands`, and an operand that holds others (an array, a dictionary) is
/// followed by them. Names and strings are slices of the content itself (a literal string
/// decoded where it was written). lopdf's `Content` took a heap allocation for each
/// operator, name, string and array; read, tightened and written flat, a 59-flyer batch's
/// pages cost 64% fewer instructions before deflate.
struct PageContent<'a> {
    operations: Vec<Operation<'a>>,
    operands: Vec<Operand<'a>>,
}

#[derive(Clone, Debug)]
struct Operation<'a> {
    operator: &'a [u8],
    /// Where its operands lie in [`PageContent::operands`].
    operands: std::ops::Range<u32>,
}

impl<'a> Operation<'a> {
    /// Its operands, in `all` (the page's).
    fn operands<'s>(&self, all: &'s [Operand<'a>]) -> &'s [Operand<'a>] {
        &all[self.operands.start as usize..self.operands.end as usize]
    }
}

/// An operand as [`decode_plain_content`] reads it: what lopdf decodes it to (see
/// [`same_operands`] and [`OperandWriter`]) without an allocation of its own.
#[derive(Clone, Copy, Debug)]
enum Operand<'a> {
    Integer(i64),
    /// [`rounded`] outside dictionaries, where an integer may stand for it.
    Real(f32),
    /// A name without its `/`; never with `#` (an escape).
    Name(&'a [u8]),
    /// A hexadecimal string's digits, in either case, an even number of them.
    Hex(&'a [u8]),
    /// A literal string's bytes, and whether lopdf's writer may escape one of them (see
    /// [`OperandWriter::literal`]).
    Literal(&'a [u8], bool),
    /// An array of the operands that follow it: this many of them, with those inside them.
    Array(u32),
    /// A dictionary: likewise, a key (a name) then its value, entry by entry; no key twice.
    Dictionary(u32),
}

/// `operands` as whole operands: each one with those inside it.
fn split_operands<'s, 'a>(operands: &'s [Operand<'a>]) -> impl Iterator<Item = &'s [Operand<'a>]> {
    let mut rest = operands;
    std::iter::from_fn(move || {
        let inside = match *rest.first()? {
            Operand::Array(count) | Operand::Dictionary(count) => count as usize,
            _ => 0,
        };
        let (operand, after) = rest.split_at(1 + inside);
        rest = after;
        Some(operand)
    })
}

/// A dictionary's entries (`inside`: what follows its [`Operand::Dictionary`]).
fn entries<'s, 'a>(
    inside: &'s [Operand<'a>],
) -> impl Iterator<Item = (&'s [Operand<'a>], &'s [Operand<'a>])> {
    let mut items = split_operands(inside);
    std::iter::from_fn(move || Some((items.next()?, items.next()?)))
}

/// Whether two lists of operands decode to equal lopdf objects, as tightening compared
/// them when they were lopdf's: `Object`'s `PartialEq`, under which `-0.0` is `0.0`, an
/// integer is never a real, a string's format counts and a dictionary's order does not.
fn same_operands(a: &[Operand], b: &[Operand]) -> bool {
    let (mut a, mut b) = (split_operands(a), split_operands(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if same_operand(x, y) => {}
            _ => return false,
        }
    }
}

/// [`same_operands`] for one operand each (with those inside it).
fn same_operand(a: &[Operand], b: &[Operand]) -> bool {
    match (a[0], b[0]) {
        (Operand::Integer(x), Operand::Integer(y)) => x == y,
        (Operand::Real(x), Operand::Real(y)) => x == y,
        (Operand::Name(x), Operand::Name(y)) => x == y,
        (Operand::Hex(x), Operand::Hex(y)) => x.eq_ignore_ascii_case(y),
        (Operand::Literal(x, _), Operand::Literal(y, _)) => x == y,
        (Operand::Array(_), Operand::Array(_)) => same_operands(&a[1..], &b[1..]),
        (Operand::Dictionary(_), Operand::Dictionary(_)) => {
            let (a, b) = (&a[1..], &b[1..]);
            entries(a).count() == entries(b).count()
                && entries(a).all(|(key, value)| {
                    entries(b).any(|(k, v)| same_operand(k, key) && same_operand(v, value))
                })
        }
        _ => false,
    }
}

/// `content` as lopdf's `Content::encode` writes the operations lopdf decodes it to, byte
/// for byte: each operand and a blank, then the operator, and a line end between
/// operations. `capacity`: a guess at the size.
fn encode_content(content: &PageContent, capacity: usize) -> Vec<u8> {
    let mut writer = OperandWriter {
        out: Vec::with_capacity(capacity),
        unclosed: Vec::new(),
    };
    for (i, operation) in content.operations.iter().enumerate() {
        if i > 0 {
            writer.out.push(b'\n');
        }
        for operand in split_operands(operation.operands(&content.operands)) {
            writer.operand(operand);
            writer.out.push(b' ');
        }
        writer.out.extend_from_slice(operation.operator);
    }
    writer.out
}

/// Writes operands as `lopdf::Writer::write_object` writes the objects lopdf decodes them
/// to (its writer took a `dyn Write` call per operand, a `String` per real number and a
/// `write!` per byte of a hexadecimal string: a fifth of rewriting a page).
struct OperandWriter {
    out: Vec<u8>,
    /// Where the literal string being written has a `(` that no `)` closes.
    unclosed: Vec<usize>,
}

impl OperandWriter {
    /// One operand with those inside it.
    fn operand(&mut self, operand: &[Operand]) {
        match operand[0] {
            Operand::Integer(value) => write_integer(&mut self.out, value),
            Operand::Real(value) => {
                // `Display`, with `.0` after a whole number (which would read back as an
                // integer).
                let start = self.out.len();
                if !write_short_real(&mut self.out, value) {
                    let _ = write!(self.out, "{value}");
                }
                if value.is_finite() && !self.out[start..].contains(&b'.') {
                    self.out.extend_from_slice(b".0");
                }
            }
            Operand::Name(name) => {
                self.out.push(b'/');
                for &byte in name {
                    if (33..=126).contains(&byte) && !b"()<>[]{}/%#".contains(&byte) {
                        self.out.push(byte);
                    } else {
                        let _ = write!(self.out, "#{byte:02X}");
                    }
                }
            }
            Operand::Hex(digits) => {
                self.out.push(b'<');
                self.out.extend(digits.iter().map(u8::to_ascii_uppercase));
                self.out.push(b'>');
            }
            Operand::Literal(text, false) => {
                self.out.push(b'(');
                self.out.extend_from_slice(text);
                self.out.push(b')');
            }
            Operand::Literal(text, true) => self.literal(text),
            Operand::Array(_) => {
                self.out.push(b'[');
                for (i, item) in split_operands(&operand[1..]).enumerate() {
                    // A blank only before what would run into the item before it.
                    if i > 0 && matches!(item[0], Operand::Integer(_) | Operand::Real(_)) {
                        self.out.push(b' ');
                    }
                    self.operand(item);
                }
                self.out.push(b']');
            }
            Operand::Dictionary(_) => {
                self.out.extend_from_slice(b"<<");
                for (key, value) in entries(&operand[1..]) {
                    self.operand(key);
                    if matches!(value[0], Operand::Integer(_) | Operand::Real(_)) {
                        self.out.push(b' ');
                    }
                    self.operand(value);
                }
                self.out.extend_from_slice(b">>");
            }
        }
    }

    /// A literal string's bytes between parentheses, as lopdf writes them: a backslash
    /// before each backslash, each carriage return (then written `r`) and each parenthesis
    /// that the pairing of every `)` with the nearest `(` before it left alone.
    fn literal(&mut self, text: &[u8]) {
        self.out.push(b'(');
        self.unclosed.clear();
        if text.contains(&b'(') {
            for (i, &byte) in text.iter().enumerate() {
                match byte {
                    b'(' => self.unclosed.push(i),
                    b')' => {
                        self.unclosed.pop();
                    }
                    _ => {}
                }
            }
        }
        let mut unclosed = self.unclosed.iter().copied().peekable();
        let mut open = 0usize;
        // Bytes between escapes are copied a run at a time.
        let mut run = 0;
        for (i, &byte) in text.iter().enumerate() {
            if !is(byte, ESCAPABLE) {
                continue;
            }
            let escaped = match byte {
                b'(' => {
                    open += 1;
                    unclosed.next_if_eq(&i).is_some()
                }
                b')' if open == 0 => true,
                b')' => {
                    open -= 1;
                    false
                }
                _ => true,
            };
            if escaped {
                self.out.extend_from_slice(&text[run..i]);
                self.out.push(b'\\');
                self.out.push(if byte == b'\r' { b'r' } else { byte });
                run = i + 1;
            }
        }
        self.out.extend_from_slice(&text[run..]);
        self.out.push(b')');
    }
}

/// `value` as `Display` (and lopdf's writer) writes it.
fn write_integer(out: &mut Vec<u8>, value: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
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
    write_integer(out, whole as i64);
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
fn text_object<'o, 'a>(
    ops: &'o [Operation<'a>],
    at: usize,
) -> Option<(usize, [&'o Operation<'a>; 4])> {
    let [q, cm, colour, bt, tr, tf] = ops.get(at..at + 6)? else {
        return None;
    };
    let fill = matches!(colour.operator, b"rg" | b"g" | b"k" | b"sc" | b"scn");
    if !(q.operator == b"q"
        && cm.operator == b"cm"
        && fill
        && bt.operator == b"BT"
        && tr.operator == b"Tr"
        && tf.operator == b"Tf")
    {
        return None;
    }
    let mut i = at + 6;
    while let [tm, show, ..] = &ops[i..] {
        if tm.operator != b"Tm" || !matches!(show.operator, b"TJ" | b"Tj") {
            break;
        }
        i += 2;
    }
    let [et, end_q, ..] = &ops[i..] else {
        return None;
    };
    (i > at + 6 && et.operator == b"ET" && end_q.operator == b"Q")
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
fn tighten_content<'a>(
    mut ops: Vec<Operation<'a>>,
    operands: &[Operand<'a>],
) -> Vec<Operation<'a>> {
    // Every step only drops operations (and the last adds the page's `q cm … Q`): which
    // ones stay is worked out first, then they are moved, not copied.
    let mut keep = vec![true; ops.len()];
    // Joined text objects: the `ET Q` of one and the `q cm BT Tr Tf` of the next go.
    let same =
        |a: &Operation, b: &Operation| same_operands(a.operands(operands), b.operands(operands));
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
            && same(c, cm)
            && same(t, tr)
        {
            keep[at - 2..at].fill(false);
            for i in [at, at + 1, at + 3, at + 4] {
                keep[i] = false;
            }
            // The font in force carries over within the joined object.
            keep[at + 5] = !same(f, tf);
        }
        open = Some(state);
        at = end;
    }
    // Rendering modes set again.
    const PAGE_MODE: &[Operand] = &[Operand::Integer(0)];
    let mut mode = vec![PAGE_MODE];
    for (op, keep) in ops.iter().zip(keep.iter_mut()) {
        if !*keep {
            continue;
        }
        match op.operator {
            b"q" => mode.push(mode.last().copied().unwrap_or(PAGE_MODE)),
            b"Q" if mode.len() > 1 => {
                mode.pop();
            }
            b"Tr" => {
                let mut values = split_operands(op.operands(operands));
                match (mode.last_mut(), values.next(), values.next()) {
                    (Some(current), Some(value), None) if same_operands(value, current) => {
                        *keep = false
                    }
                    (Some(current), Some(value), None) => *current = value,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    // One page transform.
    let transform = hoisted_transform(&ops, operands, &mut keep);
    // In place: a CJK page's operations were the whole kit's peak of memory.
    let mut flags = keep.into_iter();
    ops.retain(|_| flags.next().unwrap_or(true));
    if let Some(transform) = transform {
        let operation = |operator, operands| Operation { operator, operands };
        ops.splice(0..0, [operation(b"q", 0..0), operation(b"cm", transform)]);
        ops.push(operation(b"Q", 0..0));
    }
    ops
}

/// The last step of [`tighten_content`]: where every kept operation outside `q … Q` is a
/// marked-content boundary and every top-level `q` is followed by the same `cm`, those
/// `cm`s are no longer kept and their operands come back, to be set once around the page.
fn hoisted_transform(
    ops: &[Operation],
    operands: &[Operand],
    keep: &mut [bool],
) -> Option<std::ops::Range<u32>> {
    let mut depth = 0usize;
    let mut transform: Option<&Operation> = None;
    let mut top_cm = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        match op.operator {
            b"q" => {
                if depth == 0 {
                    let next = (i + 1..ops.len()).find(|&k| keep[k])?;
                    let cm = Some(&ops[next]).filter(|o| o.operator == b"cm")?;
                    if transform.is_some_and(|t| {
                        !same_operands(t.operands(operands), cm.operands(operands))
                    }) {
                        return None;
                    }
                    transform = Some(cm);
                    top_cm.push(next);
                }
                depth += 1;
            }
            b"Q" => depth = depth.checked_sub(1)?,
            b"BMC" | b"BDC" | b"EMC" | b"MP" | b"DP" => {}
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    let transform = transform?.operands.clone();
    for i in top_cm {
        keep[i] = false;
    }
    Some(transform)
}

/// A page's content read flat, as lopdf's `Content::decode` reads the part of the syntax
/// krilla writes: numbers, names, literal strings, hexadecimal strings of whole bytes
/// (krilla writes a run's glyph ids in hex where they are not printable: most of a Korean
/// or Chinese page), arrays, dictionaries and operators; numbers outside dictionaries
/// [`rounded`]. Anything else (a comment, an escaped name, an inline image,
/// `true`/`false`/`null`, a reference, white space or an odd digit in a hexadecimal
/// string, a key given twice) gives `None`. Literal strings are decoded where they are
/// written, in `data`. lopdf's parser, which read pages before, is general and slow: it
/// took a tenth of a batch's time, more than rounding the numbers saved in writing, and its
/// operations for a Korean flyer's page were the whole kit's peak of memory (4 MB).
fn decode_plain_content(data: &mut [u8]) -> Option<PageContent<'_>> {
    // Room for a page of krilla's at once: an operand takes six bytes of it or more, an
    // operation twenty or more.
    let mut operations = Vec::with_capacity(data.len() / 20);
    let mut lexer = ContentLexer {
        operands: Vec::with_capacity(data.len() / 6),
        rest: data,
    };
    let mut first = 0;
    loop {
        lexer.skip_white();
        let Some(c) = lexer.peek() else {
            break;
        };
        if c.is_ascii_alphabetic() || matches!(c, b'*' | b'\'' | b'"') {
            let operator = lexer.take(lexer.span(0, |c| is(c, OPERATOR)));
            if matches!(operator, b"true" | b"false" | b"null" | b"BI" | b"R") {
                return None;
            }
            let end = u32::try_from(lexer.operands.len()).ok()?;
            operations.push(Operation {
                operator,
                operands: first..end,
            });
            first = end;
        } else {
            lexer.object(0, true)?;
        }
    }
    // Operands with no operator after them: lopdf stops before them; we leave the stream.
    (first as usize == lexer.operands.len()).then_some(PageContent {
        operations,
        operands: lexer.operands,
    })
}

/// What a byte of page content is to [`ContentLexer`], one bit each.
const WHITE: u8 = 1;
const DELIMITER: u8 = 2;
/// A letter, a digit, `*`, `'` or `"`: what an operator is made of.
const OPERATOR: u8 = 4;
/// What lopdf's writer may escape in a literal string: `(`, `)`, `\` and a carriage return.
const ESCAPABLE: u8 = 8;
static BYTE_CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let c = byte as u8;
        classes[byte] = match c {
            b'\r' => WHITE | ESCAPABLE,
            b' ' | b'\t' | b'\n' | b'\0' | b'\x0C' => WHITE,
            b'(' | b')' => DELIMITER | ESCAPABLE,
            b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%' => DELIMITER,
            b'\\' => ESCAPABLE,
            b'*' | b'\'' | b'"' => OPERATOR,
            _ if c.is_ascii_alphanumeric() => OPERATOR,
            _ => 0,
        };
        byte += 1;
    }
    classes
};

/// Whether `byte` is of `class` (one of [`WHITE`], [`DELIMITER`], [`OPERATOR`] and
/// [`ESCAPABLE`], or more).
fn is(byte: u8, class: u8) -> bool {
    BYTE_CLASSES[usize::from(byte)] & class != 0
}

/// Reads `rest` from its start, handing out what it has read: an operator, a name, a
/// string is a slice of the content.
struct ContentLexer<'a> {
    rest: &'a mut [u8],
    operands: Vec<Operand<'a>>,
}

impl<'a> ContentLexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Where the bytes from `from` on that are `like` end.
    fn span(&self, from: usize, like: impl Fn(u8) -> bool) -> usize {
        let tail = self.rest.get(from..).unwrap_or_default();
        from + tail.iter().position(|&c| !like(c)).unwrap_or(tail.len())
    }

    /// The next `count` bytes, read.
    fn take(&mut self, count: usize) -> &'a [u8] {
        let (taken, rest) = std::mem::take(&mut self.rest).split_at_mut(count);
        self.rest = rest;
        taken
    }

    fn skip_white(&mut self) {
        self.take(self.span(0, |c| is(c, WHITE)));
    }

    /// One operand (and those inside it) onto `operands`, and the white space after it.
    /// `round`: its numbers are [`rounded`], as lopdf's were outside dictionaries.
    fn object(&mut self, depth: usize, round: bool) -> Option<()> {
        if depth > 32 {
            return None;
        }
        // Its place, before those inside it; what it is comes below.
        let at = self.operands.len();
        self.operands.push(Operand::Integer(0));
        let operand = match self.peek()? {
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number(round)?,
            b'/' => {
                let name = &self.take(self.span(1, |c| !is(c, WHITE | DELIMITER)))[1..];
                if name.contains(&b'#') {
                    return None;
                }
                Operand::Name(name)
            }
            b'(' => self.literal_string()?,
            b'[' => {
                self.take(1);
                self.skip_white();
                while self.peek()? != b']' {
                    self.object(depth + 1, round)?;
                }
                self.take(1);
                Operand::Array(self.count_after(at)?)
            }
            b'<' if self.rest.get(1) != Some(&b'<') => {
                let end = self.span(1, |c| c.is_ascii_hexdigit());
                let digits = end - 1;
                if self.rest.get(end) != Some(&b'>') || !digits.is_multiple_of(2) {
                    return None;
                }
                Operand::Hex(&self.take(end + 1)[1..end])
            }
            b'<' => {
                self.take(2);
                self.skip_white();
                let mut keys = 0usize;
                while self.peek()? != b'>' {
                    // A marked-content dictionary has a key or two; a long one is not
                    // krilla's, and the check for a key given twice below grows with the
                    // square of its length.
                    keys += 1;
                    if keys > MAX_DICTIONARY_KEYS {
                        return None;
                    }
                    let key_at = self.operands.len();
                    self.object(depth + 1, false)?;
                    let Operand::Name(key) = self.operands[key_at] else {
                        return None;
                    };
                    // lopdf keeps a key given twice where it came first, with the value
                    // that came last: not worth imitating.
                    let before = &self.operands[at + 1..key_at];
                    if entries(before).any(|(k, _)| matches!(k, [Operand::Name(k)] if *k == key)) {
                        return None;
                    }
                    self.object(depth + 1, false)?;
                }
                if self.rest.get(1) != Some(&b'>') {
                    return None;
                }
                self.take(2);
                Operand::Dictionary(self.count_after(at)?)
            }
            _ => return None,
        };
        self.operands[at] = operand;
        self.skip_white();
        Some(())
    }

    /// How many operands follow the one at `at`.
    fn count_after(&self, at: usize) -> Option<u32> {
        u32::try_from(self.operands.len() - at - 1).ok()
    }

    /// A number as lopdf reads one: a real when it has a point, else an integer. Two
    /// numbers and `R` (a reference) never occur in page content; `R` ends the decode.
    fn number(&mut self, round: bool) -> Option<Operand<'a>> {
        let bytes = &*self.rest;
        let negative = bytes.first() == Some(&b'-');
        let mut end = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
        // The digits, the point aside, as one integer while they fit in one.
        let mut mantissa = Some(0u64);
        let mut digits = |end: &mut usize| {
            let start = *end;
            while let Some(digit) = bytes
                .get(*end)
                .map(|c| c.wrapping_sub(b'0'))
                .filter(|&d| d < 10)
            {
                mantissa = mantissa.and_then(|m| m.checked_mul(10)?.checked_add(u64::from(digit)));
                *end += 1;
            }
            *end - start
        };
        let whole = digits(&mut end);
        if bytes.get(end) != Some(&b'.') {
            if whole == 0 {
                return None;
            }
            let magnitude = i128::from(mantissa?);
            let value = i64::try_from(if negative { -magnitude } else { magnitude }).ok()?;
            self.take(end);
            return Some(Operand::Integer(value));
        }
        end += 1;
        let decimals = digits(&mut end);
        // lopdf reads `0.00-41` as one number; not ours to imitate.
        if bytes.get(end) == Some(&b'-') || (whole == 0 && decimals == 0) {
            return None;
        }
        // The mantissa and the power of ten exact as f64s (below 2^53 and 10^23): their
        // quotient is the f64 nearest the number, and it rounds to the f32 nearest the
        // number, as parsing finds, unless it lies halfway between two f32s (an f32 has 29
        // bits fewer): a number on one side of that midpoint would have an f64 nearer than
        // the other side of it, the midpoint itself.
        const POWERS_OF_TEN: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let quotient = mantissa
            .filter(|&m| m < 1 << 53 && decimals < POWERS_OF_TEN.len())
            .map(|m| m as f64 / POWERS_OF_TEN[decimals])
            .filter(|q| q.to_bits() & ((1 << 29) - 1) != 1 << 28);
        let text = self.take(end);
        let value = match quotient {
            Some(q) if negative => -(q as f32),
            Some(q) => q as f32,
            None => std::str::from_utf8(text).ok()?.parse::<f32>().ok()?,
        };
        Some(if round {
            rounded(value)
        } else {
            Operand::Real(value)
        })
    }

    /// A literal string, decoded as lopdf reads it where it is written (never longer):
    /// escapes resolved, a line end written inside it read as `\n`, balanced parentheses
    /// kept.
    fn literal_string(&mut self) -> Option<Operand<'a>> {
        let bytes = &mut *self.rest;
        let (mut read, mut written) = (1, 1);
        let mut open = 0usize;
        let mut escapable = false;
        loop {
            let c = *bytes.get(read)?;
            read += 1;
            let byte = match c {
                b'(' => {
                    open += 1;
                    c
                }
                b')' if open == 0 => break,
                b')' => {
                    open -= 1;
                    c
                }
                b'\\' => {
                    let e = *bytes.get(read)?;
                    read += 1;
                    match e {
                        b'0'..=b'7' => {
                            let mut value = u16::from(e - b'0');
                            for _ in 0..2 {
                                match bytes.get(read) {
                                    Some(&d @ b'0'..=b'7') => {
                                        value = value * 8 + u16::from(d - b'0');
                                        read += 1;
                                    }
                                    _ => break,
                                }
                            }
                            value as u8
                        }
                        b'\r' => {
                            if bytes.get(read) == Some(&b'\n') {
                                read += 1;
                            }
                            continue;
                        }
                        b'\n' => continue,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'f' => 0x0C,
                        other => other,
                    }
                }
                b'\r' => {
                    if bytes.get(read) == Some(&b'\n') {
                        read += 1;
                    }
                    b'\n'
                }
                _ => c,
            };
            escapable |= is(byte, ESCAPABLE);
            // Behind `read`: what is not read yet stays.
            bytes[written] = byte;
            written += 1;
        }
        Some(Operand::Literal(&self.take(read)[1..written], escapable))
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
        let mut bytes = content.as_bytes().to_vec();
        let mut page = decode_plain_content(&mut bytes).unwrap();
        page.operations = tighten_content(std::mem::take(&mut page.operations), &page.operands);
        String::from_utf8(encode_content(&page, 0)).unwrap()
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
        let object = |value: f32| as_object(&[rounded(value)]);
        assert_eq!(object(-49.99994), Object::Integer(-50));
        assert_eq!(object(59.135998), Object::Real(59.136));
        assert_eq!(object(0.12156863), Object::Real(0.122));
        assert_eq!(object(0.012345), Object::Real(0.012345));
        assert_eq!(object(792.0), Object::Integer(792));
    }

    /// Page content as krilla writes it, then operands it does not write that the reader
    /// takes: signed, whole, tiny, huge and infinite reals, reals inside a dictionary (not
    /// rounded), names with bytes a name escapes, strings with every escape, unpaired
    /// parentheses, backslashes and line ends, nested and empty arrays and dictionaries.
    const PAGE: &[u8] = b"/Artifact BMC\nq\n1 0 0 -1 0 792 cm\n0.122 0.165 0.361 rg\n-9 -9 m\n.5 -.25 l\nh\nf\nQ\nEMC\n/Span <</MCID 0 /Lang (en)>> BDC\nBT\n/f0 18 Tf\n1 0 0 -1 36 36.636 Tm\n[(a\\(b\\)c) -50(\\r\\n\\t\\\\\\061\\7x) -49.99994(x(y)z) 8(\r\n\r)] TJ\nT*\n(l\\\nine) '\n[<000B0080> -12.5<>] TJ\n<00fFaB>Tj\nET\nEMC\n\
        -0.0 0.0 2.0 +3 -42 0.0000001 -0.04 123456789012.5 99999.9999 1.5 10000000000000000000000000000000000000000.5 x\n\
        / /A\xe9B /a*b /x\x01 /Tab\x7f y\n\
        () (\\() (\\)) (a\\(b(c)d) (\\\\) (\\r) (\\000\\050) (p\\)q(r)s\\() (\\8\\9\\400\\0a) (one\\\r\ntwo\\\nthree) z\n\
        [/N 1 [0.5 (s)] 3.25 <ab> -0.0 [] <<>> 7] [1[2]3] w\n\
        /P <</A [1.23456 /N (s) 2.0] /B <</C 0.5 /D -7>> /E 2.0 /F (x\\)y) /G <0a> /H 12>> BDC\n\
        1 2 (x) \"\nf*\nEMC";

    /// `content` as lopdf reads it, with its numbers rounded as they were when pages were
    /// read with lopdf: a real outside a dictionary.
    fn lopdf_rounded(content: &[u8]) -> Vec<lopdf::content::Operation> {
        fn round(object: &mut Object) {
            match object {
                Object::Real(value) => *object = as_object(&[rounded(*value)]),
                Object::Array(items) => items.iter_mut().for_each(round),
                _ => {}
            }
        }
        let mut operations = lopdf::content::Content::decode(content).unwrap().operations;
        for operation in &mut operations {
            operation.operands.iter_mut().for_each(round);
        }
        operations
    }

    /// The lopdf object `operand` (with those inside it) stands for.
    fn as_object(operand: &[Operand]) -> Object {
        match operand[0] {
            Operand::Integer(value) => Object::Integer(value),
            Operand::Real(value) => Object::Real(value),
            Operand::Name(name) => Object::Name(name.to_vec()),
            Operand::Hex(digits) => Object::String(
                digits
                    .chunks(2)
                    .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
                    .collect(),
                lopdf::StringFormat::Hexadecimal,
            ),
            Operand::Literal(text, _) => Object::string_literal(text),
            Operand::Array(_) => {
                Object::Array(split_operands(&operand[1..]).map(as_object).collect())
            }
            Operand::Dictionary(_) => {
                let mut dict = lopdf::Dictionary::new();
                for (key, value) in entries(&operand[1..]) {
                    let [Operand::Name(key)] = key else {
                        panic!("a key {key:?}");
                    };
                    dict.set(*key, as_object(value));
                }
                Object::Dictionary(dict)
            }
        }
    }

    #[test]
    fn page_content_decodes_as_lopdf_decodes_it() {
        let mut page = PAGE.to_vec();
        let ours = decode_plain_content(&mut page).expect("the syntax it reads");
        let theirs = lopdf_rounded(PAGE);
        assert_eq!(ours.operations.len(), theirs.len());
        for (a, b) in ours.operations.iter().zip(&theirs) {
            assert_eq!(a.operator, b.operator.as_bytes());
            let operands: Vec<Object> = split_operands(a.operands(&ours.operands))
                .map(as_object)
                .collect();
            assert_eq!(operands, b.operands, "{}", b.operator);
        }
        // What it does not read, it leaves.
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
            b"<</A 1 /A 2>> BDC",
            b"<<1 2>> BDC",
            b"(open Tj",
        ] {
            assert!(
                decode_plain_content(&mut other.to_vec()).is_none(),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn page_content_encodes_as_lopdf_encodes_it() {
        let ours = encode_content(&decode_plain_content(&mut PAGE.to_vec()).unwrap(), 0);
        let theirs = lopdf::content::Content {
            operations: lopdf_rounded(PAGE),
        }
        .encode()
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        assert_eq!(ours, theirs);
        assert_eq!(
            encode_content(&decode_plain_content(&mut []).unwrap(), 0),
            b""
        );
    }

    /// Tightening finds the same transforms, modes and fonts equal as when it compared
    /// lopdf's objects.
    #[test]
    fn operands_compare_as_lopdf_objects_compare() {
        let lists = b"x\n0 x\n0.0 x\n-0.0 x\n0.04 x\n1 x\n1.0 x\n1.0001 x\n0.99999 x\n1 0 x\n\
            <0a> x\n<0A> x\n(\\n) x\n(\n) x\n(\\012) x\n(A) x\n(\\101) x\n<41> x\n/A x\n/B x\n\
            [1 2] x\n[1.0 2] x\n[1 2 3] x\n[[1] 2] x\n[[1.0] 2] x\n[/A 2] x\n\
            <</A 1/B 2>> x\n<</B 2/A 1>> x\n<</A 1.0/B 2>> x\n<</A 1>> x\n<</A 1/B 2/C 3>> x";
        let mut bytes = lists.to_vec();
        let ours = decode_plain_content(&mut bytes).unwrap();
        let theirs = lopdf_rounded(lists);
        assert_eq!(ours.operations.len(), theirs.len());
        let mut equal = 0;
        for (a, x) in ours.operations.iter().zip(&theirs) {
            for (b, y) in ours.operations.iter().zip(&theirs) {
                let same = same_operands(a.operands(&ours.operands), b.operands(&ours.operands));
                assert_eq!(same, x.operands == y.operands, "{x:?} and {y:?}");
                equal += usize::from(same);
            }
        }
        // Each list with itself, and 30 pairs of different lists.
        assert_eq!(equal, theirs.len() + 30);
    }

    /// Content the reader does not read keeps its bytes, deflated; the rest is rewritten.
    #[test]
    fn content_it_does_not_read_is_left_as_it_is() {
        let mut doc = one_page();
        let page = *doc.get_pages().values().next().unwrap();
        let unread = b"% a comment\n0 0 m\n10.00001 10 l\nS\n".repeat(8);
        let read = b"0 0 m\n10.00001 10 l\nS\n".repeat(8);
        let ids = [&unread, &read]
            .map(|content| doc.add_object(lopdf::Stream::new(dictionary! {}, content.clone())));
        doc.get_dictionary_mut(page)
            .unwrap()
            .set("Contents", vec![Object::from(ids[0]), Object::from(ids[1])]);
        rewrite_page_content(&mut doc, true);
        let plain = |id| {
            let stream = doc.get_object(id).unwrap().as_stream().unwrap();
            assert!(stream.dict.get(b"Filter").is_ok());
            stream.decompressed_content().unwrap()
        };
        assert_eq!(plain(ids[0]), unread);
        assert_eq!(
            plain(ids[1]),
            ["0 0 m\n10 10 l\nS"; 8].join("\n").into_bytes()
        );
    }

    /// Numbers are read as Rust parses them (the f32 nearest a real, ties to even), bit for
    /// bit, whether the mantissa and power of ten divide exactly or the text is parsed.
    #[test]
    fn numbers_are_read_as_parsing_reads_them() {
        let read = |text: &str| {
            let mut bytes = text.as_bytes().to_vec();
            let mut lexer = ContentLexer {
                rest: &mut bytes,
                operands: Vec::new(),
            };
            let number = lexer.number(false).map(|n| as_object(&[n]));
            assert!(number.is_none() || lexer.rest.is_empty(), "{text}");
            number
        };
        let mut mantissas = vec![
            0u64,
            1,
            5,
            (1 << 24) - 1,
            1 << 24,
            (1 << 24) + 1,
            999_999_999,
            (1 << 53) - 1,
            1 << 53,
            u64::MAX,
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            // Mantissas of every length up to 17 digits: most below 2^53, some not.
            mantissas.push((state >> 8) % 10u64.pow((state % 17) as u32 + 1));
        }
        let mut texts = Vec::new();
        for m in mantissas {
            let digits = m.to_string();
            for decimals in 0..=24 {
                let padded = format!("{digits:0>width$}", width = decimals + 1);
                let (whole, fraction) = padded.split_at(padded.len() - decimals);
                texts.push(format!("{whole}.{fraction}"));
            }
        }
        // Decimals of 16 digits whose nearest f64 is halfway between two f32s, the number
        // itself on one side.
        let mut halfway = 0;
        for step in 0..200_000u32 {
            let low = f64::from(1.0f32 + step as f32 * f32::EPSILON);
            let midpoint = low + f64::from(f32::EPSILON) / 2.0;
            let text = format!("{midpoint:.15}");
            if text.parse::<f64>() == Ok(midpoint) {
                texts.push(text);
                halfway += 1;
            }
        }
        assert!(halfway > 100 && texts.len() > 500_000, "{halfway}");
        texts.push(format!("{}.5", u64::MAX));
        for text in texts {
            for sign in ["", "-", "+"] {
                let text = format!("{sign}{text}");
                let Some(Object::Real(ours)) = read(&text) else {
                    panic!("{text}");
                };
                let theirs: f32 = text.parse().unwrap();
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{text}");
            }
        }
        for text in [
            "0",
            "-0",
            "+7",
            "007",
            "9223372036854775807",
            "-9223372036854775808",
        ] {
            let Some(Object::Integer(ours)) = read(text) else {
                panic!("{text}");
            };
            assert_eq!(ours, text.parse::<i64>().unwrap());
        }
        for text in [
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
        ] {
            assert!(read(text).is_none(), "{text}");
        }
        assert_eq!(read(".5"), Some(Object::Real(0.5)));
        assert_eq!(read("5."), Some(Object::Real(5.0)));
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
            Operand::Real(r) => r,
            Operand::Integer(i) => i as f32,
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
