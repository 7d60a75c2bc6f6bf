//! Colour and geometry of the display list: palette colours, rectangles and affine
//! transforms, in points from the page's top-left corner, y down.

use crate::units::{Insets, Pt};

/// A named palette colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Color {
    pub name: String,
    pub rgb: [u8; 3],
    /// Percentages for print; screen output paints `rgb`.
    pub cmyk: Option<[u8; 4]>,
    /// A spot ink (e.g. `PANTONE 2766 C`) that print paints instead, `cmyk` its alternate.
    pub spot: Option<String>,
}

/// An axis-aligned rectangle in points, origin at the trim's top-left, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: Pt,
    pub y: Pt,
    pub w: Pt,
    pub h: Pt,
}

impl Rect {
    pub fn inset(self, by: &Insets) -> Rect {
        Rect {
            x: self.x + by.left,
            y: self.y + by.top,
            w: (self.w - by.left - by.right).max(Pt::ZERO),
            h: (self.h - by.top - by.bottom).max(Pt::ZERO),
        }
    }
    pub fn right(&self) -> Pt {
        self.x + self.w
    }
    pub fn bottom(&self) -> Pt {
        self.y + self.h
    }

    /// The part of `self` inside `other`, `None` when they do not overlap.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let (x0, y0) = (self.x.max(other.x), self.y.max(other.y));
        let (x1, y1) = (
            self.right().min(other.right()),
            self.bottom().min(other.bottom()),
        );
        (x1 > x0 && y1 > y0).then_some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }
}

/// An affine transform `x' = a·x + c·y + e`, `y' = b·x + d·y + f` (PDF's matrix order):
/// `a` to `d` are plain factors, the move `e`, `f` a length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: Pt,
    pub f: Pt,
}

impl Transform {
    /// Where the point (`x`, `y`) lands.
    pub fn apply(&self, x: Pt, y: Pt) -> (Pt, Pt) {
        (
            self.a * x + self.c * y + self.e,
            self.b * x + self.d * y + self.f,
        )
    }

    /// The smallest axis-aligned rectangle holding `rect` once transformed.
    pub fn bounds(&self, rect: &Rect) -> Rect {
        let corners = [
            self.apply(rect.x, rect.y),
            self.apply(rect.right(), rect.y),
            self.apply(rect.x, rect.bottom()),
            self.apply(rect.right(), rect.bottom()),
        ];
        let (mut x0, mut y0) = (Pt(f32::MAX), Pt(f32::MAX));
        let (mut x1, mut y1) = (Pt(f32::MIN), Pt(f32::MIN));
        for (x, y) in corners {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }

    pub fn translate(x: Pt, y: Pt) -> Transform {
        Transform::scale_translate(1.0, x, y)
    }

    /// Scales by `scale` about the origin, then moves the origin to (`x`, `y`).
    pub fn scale_translate(scale: f32, x: Pt, y: Pt) -> Transform {
        Transform {
            a: scale,
            b: 0.0,
            c: 0.0,
            d: scale,
            e: x,
            f: y,
        }
    }
}
