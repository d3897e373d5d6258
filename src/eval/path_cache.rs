//! Where each path slot (numbered by [`crate::rules::path_slots`]) led in the dataset being
//! checked, and the indexes of its keyed loops: the evaluator's per-dataset memory. It also
//! carries the rule set's plans of those loops, so that the evaluator finds each loop's plan
//! by its id rather than in the syntax tree.

use crate::dataset::{Node, Segment};
use crate::eval::index::{Index, Indexes};
use crate::rules::ast::LoopId;
use crate::rules::keyed_loops::{Inner, KeyedLoop, KeyedLoops};
use crate::rules::ruleset::RuleSet;
use crate::source::Span;

/// Where each slot's path led in one dataset, and the lists indexed by key for keyed loops.
///
/// [`PathCache::default`] knows no loop plans, so every loop runs as written (as the
/// general evaluator would); [`PathCache::new`] runs a rule set's keyed loops as lookups.
#[derive(Default)]
pub struct PathCache<'d> {
    slots: Vec<Slot<'d>>,
    indexes: Indexes<'d>,
    keyed_loops: KeyedLoops,
    /// The pack's layout, for `sign(word)`'s vocabulary and the units of figures.
    layout: Option<std::sync::Arc<crate::rules::layout::Layout>>,
}

/// What is known of one slot.
#[derive(Clone, Copy, Default)]
pub enum Slot<'d> {
    /// Not followed yet in this dataset.
    #[default]
    Unknown,
    /// The node it leads to, and the key that led there (where a missing child points).
    Found(&'d Node, Option<Span>),
    /// The path is missing; a finding about it points at `Span`.
    Missing(Span),
    /// Not one node or a missing key (a path through a list, a step into a scalar): the
    /// general steps follow it at each use.
    Steps,
}

impl<'d> PathCache<'d> {
    /// An empty cache for one dataset checked against `rules`.
    pub fn new(rules: &RuleSet) -> PathCache<'d> {
        PathCache {
            keyed_loops: rules.keyed_loops.clone(),
            layout: rules.layout.clone(),
            ..PathCache::default()
        }
    }

    /// The sign a direction word states in the pack's vocabulary, if it knows the word.
    pub fn sign(&self, word: &str) -> Option<i8> {
        self.layout.as_ref()?.words.sign(word)
    }

    /// The pack's layout, if it has one.
    pub fn layout(&self) -> Option<&crate::rules::layout::Layout> {
        self.layout.as_deref()
    }

    /// How the loop numbered `id` runs as a lookup, if it can.
    pub fn keyed_loop(&self, id: LoopId) -> Option<KeyedLoop> {
        self.keyed_loops.get(id)
    }

    /// What is known of `slot`.
    pub fn get(&self, slot: u32) -> Slot<'d> {
        self.slots
            .get(slot as usize)
            .copied()
            .unwrap_or(Slot::Unknown)
    }

    /// Remembers what `slot` led to.
    pub fn set(&mut self, slot: u32, value: Slot<'d>) {
        let i = slot as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Slot::Unknown);
        }
        self.slots[i] = value;
    }

    /// The index of the list whose items are `items` (or of the nest of lists under them,
    /// along the `inner` loops) by the key numbered `key`, whose path in each item is
    /// `segments`: made on first use, then kept for the dataset.
    pub fn index(
        &mut self,
        items: &'d [Node],
        key: u32,
        inner: &[Inner<'_>],
        segments: &[Segment],
    ) -> &Index<'d> {
        // A list's items stay where they are while the dataset lives; all empty lists share
        // one (empty) index.
        let at = (items.as_ptr() as usize, key);
        self.indexes
            .entry(at)
            .or_insert_with(|| Index::build(items, inner, segments))
    }
}
