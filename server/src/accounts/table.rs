//! A map with a hard cap on its keys: past the cap, the key touched least
//! recently is forgotten. Rate limits keep one entry per address or account
//! an attacker names, so an unbounded map would be theirs to fill.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

pub struct BoundedTable<K, V> {
    cap: usize,
    entries: HashMap<K, (V, u64)>,
    /// Keys by when they were last touched (a counter, not a clock).
    order: BTreeMap<u64, K>,
    clock: u64,
}

impl<K: Hash + Eq + Clone, V: Default> BoundedTable<K, V> {
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            entries: HashMap::new(),
            order: BTreeMap::new(),
            clock: 0,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key).map(|(value, _)| value)
    }

    /// The entry for `key` (a default one if new), marked most recent.
    pub fn touch(&mut self, key: &K) -> &mut V {
        self.clock += 1;
        let stamp = self.clock;
        if let Some((_, old)) = self.entries.get(key) {
            self.order.remove(old);
        } else {
            while self.entries.len() >= self.cap {
                let Some((_, oldest)) = self.order.pop_first() else {
                    break;
                };
                self.entries.remove(&oldest);
            }
        }
        self.order.insert(stamp, key.clone());
        let slot = self.entries.entry(key.clone()).or_default();
        slot.1 = stamp;
        &mut slot.0
    }

    pub fn remove(&mut self, key: &K) {
        if let Some((_, stamp)) = self.entries.remove(key) {
            self.order.remove(&stamp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_and_the_least_recently_touched_key_goes_first() {
        let mut table = BoundedTable::<u32, u32>::new(3);
        for key in 0..3 {
            *table.touch(&key) += 1;
        }
        *table.touch(&0) += 1; // 1 is now the oldest
        table.touch(&3);
        assert_eq!(table.len(), 3);
        assert!(table.get_mut(&1).is_none(), "the oldest key is evicted");
        assert_eq!(table.get_mut(&0).copied(), Some(2));
        for key in 10..10_000 {
            table.touch(&key);
            assert!(table.len() <= 3);
        }
        assert_eq!(table.order.len(), table.len(), "the order tracks every key");
        table.remove(&9_999);
        assert_eq!((table.len(), table.order.len()), (2, 2));
    }
}
