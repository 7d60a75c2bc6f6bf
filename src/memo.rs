//! A memo table for what the documents of a run share (font programs, deflated maps,
//! set frames): bounded, and filled only with what more than one document asks for.

use std::collections::HashMap;

/// Answers worked out for what a run's documents share, by a key of it: one is
/// remembered the second time its key is offered, so what only one document has (a
/// statewide edition's subset or map in its language, a county's own line) takes no room;
/// and the memo is bounded, so a whole kit (or a long `serve`) stays small: once it holds
/// `max_bytes`, answers are worked out without being remembered, and at most `max_seen`
/// keys seen once are kept.
pub struct SeenTwiceMemo<K, V> {
    answers: HashMap<K, V>,
    seen: std::collections::HashSet<K>,
    /// What `answers` holds: each key and each answer's bytes.
    bytes: usize,
    max_bytes: usize,
    max_seen: usize,
}

impl<K: std::hash::Hash + Eq + Copy, V: Clone> SeenTwiceMemo<K, V> {
    pub fn new(max_bytes: usize, max_seen: usize) -> Self {
        SeenTwiceMemo {
            answers: HashMap::new(),
            seen: Default::default(),
            bytes: 0,
            max_bytes,
            max_seen,
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.answers.get(key).cloned()
    }

    /// Remembers `answer` (`size` bytes) if `key` was offered before and there is room.
    pub fn offer(&mut self, key: K, answer: V, size: usize) {
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
    pub fn remembers(&self, key: &K) -> bool {
        self.answers.contains_key(key)
    }
}
