//! Fit decisions remembered across a run's documents: the scale and tracking a frame's
//! fit search settled on, by a digest of everything the search reads. Every county's
//! flyer sets the same body text into the same frame; searching again tried eight or nine
//! sizes, each breaking every paragraph anew (the flyer's body frame was 0.6 ms of each
//! county's 4 ms). With the decision remembered, a repeat sets the text once, at it.

use sha2::Digest as _;
use std::cell::RefCell;
use std::collections::HashMap;

/// A search's inputs, digested (SHA-256: a collision is not a practical concern).
pub(super) type DecisionKey = [u8; 32];

/// At most this many decisions per thread (40 bytes each); past it the memo starts afresh.
const KEPT: usize = 4096;

thread_local! {
    static DECISIONS: RefCell<HashMap<DecisionKey, (f32, f32)>> = RefCell::new(HashMap::new());
}

/// The (scale, tracking) remembered for `key`, if a document of this run on this thread
/// searched the same frame with the same inputs and its text fitted.
pub(super) fn recall(key: &DecisionKey) -> Option<(f32, f32)> {
    DECISIONS.with(|d| d.borrow().get(key).copied())
}

/// Remembers what a search settled on (only searches whose text fitted).
pub(super) fn remember(key: DecisionKey, scale: f32, tracking: f32) {
    DECISIONS.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() >= KEPT {
            d.clear();
        }
        d.insert(key, (scale, tracking));
    });
}

/// Builds a [`DecisionKey`] from the `Debug` forms of the search's inputs (a float's
/// `Debug` is the shortest text that reads back as the same value, so equal text means
/// equal inputs), each part ended by a separator so that no two lists of parts run
/// together alike.
pub(super) struct KeyWriter(sha2::Sha256);

impl KeyWriter {
    pub(super) fn new() -> Self {
        KeyWriter(sha2::Sha256::new())
    }

    /// Adds one input.
    pub(super) fn part(&mut self, value: &dyn std::fmt::Debug) -> &mut Self {
        use std::fmt::Write as _;
        let _ = write!(self, "{value:?}");
        self.0.update([0u8]);
        self
    }

    /// Adds one text input as its bytes, after its length (so that no two lists of texts
    /// run together alike): a paragraph's `Debug` form escaped it character by character,
    /// the costliest part of a key.
    pub(super) fn text(&mut self, value: &str) -> &mut Self {
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value.as_bytes());
        self
    }

    /// Adds bytes as they are (a digest made elsewhere).
    pub(super) fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.0.update(value);
        self
    }

    pub(super) fn finish(self) -> DecisionKey {
        self.0.finalize().into()
    }
}

impl std::fmt::Write for KeyWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Scales every decision this thread remembers by `factor`: a test's way to show that a
/// remembered decision is what sets the next document.
#[cfg(test)]
pub(super) fn scale_all(factor: f32) {
    DECISIONS.with(|d| {
        for (scale, _) in d.borrow_mut().values_mut() {
            *scale *= factor;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_their_inputs_apart_and_decisions_come_back() {
        let key = |parts: &[&dyn std::fmt::Debug]| {
            let mut w = KeyWriter::new();
            for p in parts {
                w.part(*p);
            }
            w.finish()
        };
        let a = key(&[&"ab", &"c"]);
        assert_eq!(a, key(&[&"ab", &"c"]));
        assert_ne!(a, key(&[&"a", &"bc"]), "parts do not run together");
        let texts = |parts: &[&str]| {
            let mut w = KeyWriter::new();
            for p in parts {
                w.text(p);
            }
            w.finish()
        };
        assert_eq!(texts(&["ab", "c"]), texts(&["ab", "c"]));
        assert_ne!(
            texts(&["ab", "c"]),
            texts(&["a", "bc"]),
            "texts do not run together"
        );
        assert_ne!(texts(&["ab", ""]), texts(&["ab"]), "an empty text counts");
        assert_ne!(
            key(&[&1.0f32]),
            key(&[&1.0000001f32]),
            "floats by their exact value"
        );
        assert_eq!(recall(&a), None);
        remember(a, 0.875, -10.0);
        assert_eq!(recall(&a), Some((0.875, -10.0)));
    }
}
