//! The baseline grid of a chain of threaded frames: the pitch and origin its lines keep,
//! and how a paragraph's lines move onto it.

use crate::model::layout::Frame;

/// A baseline grid shared by a chain of threaded frames: the lines of one role (the body)
/// sit on baselines `origin + k × pitch` below each frame's text top, `origin` being the
/// chain's first baseline, so columns that start together start level and keep their
/// lines level. (A layout makes its headings land on the grid too by choosing their
/// spacing; where they do not, the space above a heading grows, never below it.)
#[derive(Debug, Clone)]
pub(super) struct Grid<'r> {
    pub(super) role: &'r str,
    pub(super) pitch: f32,
    /// Set by the chain's first line, where it falls.
    pub(super) origin: Option<f32>,
    /// Whether a line of the grid's role has been placed: until then the origin (set by a
    /// heading at the top) may still move down a little to meet the text under it.
    pub(super) settled: bool,
}

impl Grid<'_> {
    /// Moves a paragraph's lines (`tops`, baselines at `top + offset`) onto the grid and
    /// returns how far its first line moved. The first line of a frame after the first
    /// goes to the grid line nearest its natural place, whatever its role, so the columns
    /// start level. Lines of the grid's role go down to the next grid line, each (the
    /// first may go up to the one above, taking at most `give` from the space above it); a
    /// paragraph whose lines stand further apart than the pitch (its ink asked for more
    /// room) moves as a whole. Other lines (headings) stay where they fall.
    ///
    /// The first text of the role under a heading that opened the chain does not drop a
    /// whole line for a point or two past a grid line: the origin moves down to it instead
    /// and the second value says how far the lines above (the heading) must follow.
    pub(super) fn snap(
        &mut self,
        tops: &mut [f32],
        offset: f32,
        role: &str,
        first_in_frame: bool,
        give: f32,
    ) -> (f32, f32) {
        let Some(&first) = tops.first() else {
            return (0.0, 0.0);
        };
        let baseline = first + offset;
        let on_role = role == self.role;
        let Some(origin) = self.origin else {
            self.origin = Some(baseline);
            self.settled = on_role;
            return (0.0, 0.0);
        };
        let steps = (baseline - origin) / self.pitch;
        if on_role && !self.settled && !first_in_frame {
            self.settled = true;
            let past = baseline - (origin + (steps + 1e-3).floor() * self.pitch);
            if past > 1e-3 && past <= self.pitch / 2.0 {
                self.origin = Some(origin + past);
                return (0.0, past);
            }
        }
        if on_role {
            self.settled = true;
        }
        let shift = if first_in_frame {
            origin + steps.round() * self.pitch - baseline
        } else if on_role {
            let below = origin + (steps - 1e-3).ceil() * self.pitch - baseline;
            // Up to the grid line above instead, when that takes no more than `give`.
            if self.pitch - below <= give + 1e-3 {
                below - self.pitch
            } else {
                below
            }
        } else {
            return (0.0, 0.0);
        };
        let wider = tops.windows(2).any(|p| p[1] - p[0] > self.pitch + 0.01);
        let mut previous = f32::MIN;
        for (i, top) in tops.iter_mut().enumerate() {
            let moved = *top + shift;
            *top = if i == 0 || wider || !on_role {
                moved
            } else {
                let steps = ((moved + offset - origin) / self.pitch - 1e-3).ceil();
                (origin + steps * self.pitch - offset).max(previous + self.pitch - 0.01)
            };
            previous = *top;
        }
        (shift, 0.0)
    }
}

/// The grid the frame asks for (`baseline_grid = "<role>"`), its pitch the line height
/// `line_height` gives for that role (the role's fitted style's, so it scales with a fit).
/// Flow hands the line heights in, so the grid knows nothing of flow's blocks.
pub(super) fn baseline_grid<'b>(
    frame: &'b Frame,
    line_height: impl Fn(&str) -> Option<f32>,
) -> Option<Grid<'b>> {
    let role = frame.baseline_grid.as_deref()?;
    let pitch = line_height(role)?;
    (pitch > 0.0).then_some(Grid {
        role,
        pitch,
        origin: None,
        settled: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_the_grid_role_land_on_the_grid_and_headings_do_not() {
        let mut grid = Grid {
            role: "body",
            pitch: 14.0,
            origin: None,
            settled: false,
        };
        // The chain's first line sets the origin where it falls.
        let mut heading = vec![0.0, 13.0];
        assert_eq!(
            grid.snap(&mut heading, 12.0, "heading", true, 0.0),
            (0.0, 0.0)
        );
        assert_eq!(grid.origin, Some(12.0));
        // The first body under that heading, 1 past the grid line 40 (baseline 41): the
        // origin moves down 1 and the heading with it, rather than the body dropping to 54.
        let mut body = vec![30.0, 44.0];
        assert_eq!(grid.snap(&mut body, 11.0, "body", false, 0.5), (0.0, 1.0));
        assert_eq!(body, vec![30.0, 44.0]);
        assert_eq!(grid.origin, Some(13.0));
        // Later body: from 31 (baseline 42, 1 past the grid line 41) down to 55 − 11.
        let mut body = vec![31.0, 45.0, 59.0];
        let (shift, lift) = grid.snap(&mut body, 11.0, "body", false, 0.5);
        assert!((shift - 13.0).abs() < 1e-4 && lift == 0.0, "{shift} {lift}");
        assert_eq!(body, vec![44.0, 58.0, 72.0]);
        grid.origin = Some(12.0);
        // …or up to 40 when that takes no more than the give.
        let mut body = vec![30.0, 44.0];
        grid.snap(&mut body, 11.0, "body", false, 1.5);
        assert_eq!(body, vec![29.0, 43.0]);
        // A heading not at a frame top stays where it falls.
        let mut later = vec![100.0];
        assert_eq!(
            grid.snap(&mut later, 12.0, "heading", false, 0.0),
            (0.0, 0.0)
        );
        assert_eq!(later, vec![100.0]);
        // The first line of the next column goes to the nearest grid line: 12 + 14 × 0.
        let mut top = vec![0.0, 14.0];
        grid.snap(&mut top, 11.0, "body", true, 0.0);
        assert_eq!(top, vec![1.0, 15.0]);
    }
}
