//! Units: lengths are parsed once at the edge ("0.125in", "12pt", "3mm") into points.

use serde::{Deserialize, Deserializer, de};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// Points per inch (PostScript point).
pub const PT_PER_IN: f32 = 72.0;
/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// The longest length any input may give, after unit conversion: 200 in (14,400 pt), the
/// largest page a PDF viewer draws at the default user unit. Anything longer is a typo
/// (`1e30`) and would write numbers some PDF readers cannot parse.
pub const MAX_LENGTH: f32 = 14_400.0;
/// The smallest page side: 1 in. A smaller page leaves no room for any frame.
pub const MIN_PAGE_SIDE: Pt = Pt(72.0);

/// Checks a length in points at the edge: finite, not negative, at most [`MAX_LENGTH`].
pub fn check_length(points: f64, text: &str) -> Result<Pt, String> {
    if !points.is_finite() {
        return Err(format!("`{text}` is not a finite length"));
    }
    if points < 0.0 {
        return Err(format!("`{text}` must be a non-negative length"));
    }
    if points > f64::from(MAX_LENGTH) {
        return Err(format!(
            "`{text}` is longer than the longest length broadside takes (200in, 14400pt)"
        ));
    }
    Ok(Pt(points as f32))
}

/// A length in PostScript points (1/72 in). Every later stage works in points.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Pt(pub f32);

impl Pt {
    pub const ZERO: Pt = Pt(0.0);

    pub fn to_mm(self) -> f32 {
        self.0 / PT_PER_MM
    }
    pub fn to_in(self) -> f32 {
        self.0 / PT_PER_IN
    }
    pub fn min(self, other: Pt) -> Pt {
        Pt(self.0.min(other.0))
    }
    pub fn max(self, other: Pt) -> Pt {
        Pt(self.0.max(other.0))
    }
    pub fn abs(self) -> Pt {
        Pt(self.0.abs())
    }
    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }
}

// Lengths add and subtract as lengths, scale by plain numbers, and divide into a ratio.
// Each operator is the one f32 operation on the inner value, so typed arithmetic gives
// the same bits as the f32 arithmetic it replaces.
impl Add for Pt {
    type Output = Pt;
    fn add(self, other: Pt) -> Pt {
        Pt(self.0 + other.0)
    }
}
impl Sub for Pt {
    type Output = Pt;
    fn sub(self, other: Pt) -> Pt {
        Pt(self.0 - other.0)
    }
}
impl Neg for Pt {
    type Output = Pt;
    fn neg(self) -> Pt {
        Pt(-self.0)
    }
}
impl Mul<f32> for Pt {
    type Output = Pt;
    fn mul(self, factor: f32) -> Pt {
        Pt(self.0 * factor)
    }
}
impl Mul<Pt> for f32 {
    type Output = Pt;
    fn mul(self, length: Pt) -> Pt {
        Pt(self * length.0)
    }
}
impl Div<f32> for Pt {
    type Output = Pt;
    fn div(self, divisor: f32) -> Pt {
        Pt(self.0 / divisor)
    }
}
/// How many times `other` goes into `self`: a plain ratio.
impl Div for Pt {
    type Output = f32;
    fn div(self, other: Pt) -> f32 {
        self.0 / other.0
    }
}
impl AddAssign for Pt {
    fn add_assign(&mut self, other: Pt) {
        self.0 += other.0;
    }
}
impl SubAssign for Pt {
    fn sub_assign(&mut self, other: Pt) {
        self.0 -= other.0;
    }
}
impl MulAssign<f32> for Pt {
    fn mul_assign(&mut self, factor: f32) {
        self.0 *= factor;
    }
}
impl DivAssign<f32> for Pt {
    fn div_assign(&mut self, divisor: f32) {
        self.0 /= divisor;
    }
}
/// Sums the inner values with `f32`'s own `sum`, so the bits match.
impl Sum for Pt {
    fn sum<I: Iterator<Item = Pt>>(lengths: I) -> Pt {
        Pt(lengths.map(|p| p.0).sum())
    }
}

impl fmt::Display for Pt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}pt", self.0)
    }
}

/// Parses a length such as `0.5in`, `12pt`, `3mm`, `1.2cm`; a bare number means points.
pub fn parse_length(text: &str) -> Result<Pt, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().map_err(|_| {
        format!(
            "`{text}` is not a length; expected a number with a unit, e.g. `0.5in`, `12pt`, `3mm`"
        )
    })?;
    let factor: f64 = match unit.trim() {
        "" | "pt" => 1.0,
        "in" => 72.0,
        "mm" => 72.0 / 25.4,
        "cm" => 720.0 / 25.4,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use pt, in, mm or cm"
            ));
        }
    };
    // Checked after conversion: `300in` is as wrong as `21600pt`.
    check_length(value * factor, text)
}

/// Parses a page size: a name (`letter`, `tabloid`, `legal`, `a4`, `a3`) or `W x H` with units.
pub fn parse_page_size(text: &str) -> Result<(Pt, Pt), String> {
    let named = match text.trim().to_ascii_lowercase().as_str() {
        "letter" => Some((8.5, 11.0)),
        "legal" => Some((8.5, 14.0)),
        "tabloid" => Some((11.0, 17.0)),
        "a4" => Some((210.0 / 25.4, 297.0 / 25.4)),
        "a3" => Some((297.0 / 25.4, 420.0 / 25.4)),
        _ => None,
    };
    if let Some((w, h)) = named {
        return Ok((Pt(w * PT_PER_IN), Pt(h * PT_PER_IN)));
    }
    let Some((w, h)) = text.split_once(['x', '×']) else {
        return Err(format!(
            "`{text}` is not a page size; use letter, legal, tabloid, a4, a3 or e.g. `18in x 24in`"
        ));
    };
    let (w, h) = (parse_length(w)?, parse_length(h)?);
    if w < MIN_PAGE_SIDE || h < MIN_PAGE_SIDE {
        return Err(format!(
            "page size `{text}` is smaller than 1in on a side; pages run from 1in to 200in"
        ));
    }
    Ok((w, h))
}

/// Space inside a frame's edges, written like CSS: one length for all sides, two for
/// vertical then horizontal, or four for top, right, bottom, left.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Insets {
    pub top: Pt,
    pub right: Pt,
    pub bottom: Pt,
    pub left: Pt,
}

pub fn parse_insets(text: &str) -> Result<Insets, String> {
    let parts = text
        .split_whitespace()
        .map(parse_length)
        .collect::<Result<Vec<_>, _>>()?;
    match parts.as_slice() {
        [a] => Ok(Insets {
            top: *a,
            right: *a,
            bottom: *a,
            left: *a,
        }),
        [y, x] => Ok(Insets {
            top: *y,
            right: *x,
            bottom: *y,
            left: *x,
        }),
        [t, r, b, l] => Ok(Insets {
            top: *t,
            right: *r,
            bottom: *b,
            left: *l,
        }),
        _ => Err(format!(
            "`{text}` is not an inset; give 1, 2 or 4 lengths, e.g. \"6pt 9pt\""
        )),
    }
}

impl<'de> Deserialize<'de> for Insets {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_insets(&text).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Pt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LengthVisitor;
        impl de::Visitor<'_> for LengthVisitor {
            type Value = Pt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a length such as \"0.5in\", \"12pt\" or \"3mm\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Pt, E> {
                parse_length(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Pt, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Pt, E> {
                check_length(v, &v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(LengthVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_length("0.5in").unwrap(), Pt(36.0));
        assert_eq!(parse_length("12pt").unwrap(), Pt(12.0));
        assert!((parse_length("25.4mm").unwrap().0 - 72.0).abs() < 1e-3);
        assert_eq!(parse_length("7").unwrap(), Pt(7.0));
        assert!(
            parse_length("3furlongs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_length("wide").is_err());
    }

    #[test]
    fn lengths_are_finite_and_bounded_after_conversion() {
        for bad in [
            "nan", "inf", "-inf", "NaNpt", "1e30", "201in", "14401pt", "-1pt", "1e39mm",
        ] {
            assert!(parse_length(bad).is_err(), "{bad} was accepted");
        }
        assert_eq!(parse_length("200in").unwrap(), Pt(14_400.0));
        assert!(parse_page_size("0.5in x 11in").is_err());
        assert!(parse_page_size("300in x 11in").is_err());
    }

    #[test]
    fn parses_insets() {
        assert_eq!(
            parse_insets("6pt").unwrap(),
            Insets {
                top: Pt(6.0),
                right: Pt(6.0),
                bottom: Pt(6.0),
                left: Pt(6.0)
            }
        );
        assert_eq!(
            parse_insets("6pt 9pt").unwrap(),
            Insets {
                top: Pt(6.0),
                right: Pt(9.0),
                bottom: Pt(6.0),
                left: Pt(9.0)
            }
        );
        assert!(parse_insets("1pt 2pt 3pt").is_err());
    }

    #[test]
    fn parses_page_sizes() {
        assert_eq!(parse_page_size("letter").unwrap(), (Pt(612.0), Pt(792.0)));
        assert_eq!(
            parse_page_size("18in x 24in").unwrap(),
            (Pt(1296.0), Pt(1728.0))
        );
        assert!(parse_page_size("huge").is_err());
    }

    #[test]
    fn length_arithmetic_is_the_f32_arithmetic() {
        // Typed lengths must not move a single bit of output: each operator is the one f32
        // operation on the inner value.
        let (a, b, k) = (Pt(12.3), Pt(4.56), 0.7f32);
        let same = |typed: Pt, plain: f32| assert_eq!(typed.0.to_bits(), plain.to_bits());
        same(a + b, 12.3 + 4.56);
        same(a - b, 12.3 - 4.56);
        same(-a, -12.3);
        same(a * k, 12.3 * 0.7);
        same(k * a, 0.7 * 12.3);
        same(a / k, 12.3 / 0.7);
        assert_eq!((a / b).to_bits(), (12.3f32 / 4.56).to_bits());
        let mut c = a;
        c += b;
        c -= Pt(1.0);
        c *= k;
        c /= 3.0;
        same(c, (12.3f32 + 4.56 - 1.0) * 0.7 / 3.0);
        same(
            [a, b, c].into_iter().sum(),
            [12.3f32, 4.56, c.0].into_iter().sum(),
        );
        same(a.min(b), 4.56);
        same(a.max(b), 12.3);
        same((-a).abs(), 12.3);
        assert_eq!(Pt(72.0).to_in(), 1.0);
    }
}
