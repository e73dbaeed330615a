//! One sorting routine for the whole crate.
//!
//! The standard library's sorts are generic: every element type and comparison gets its own
//! copy of the whole algorithm, several kilobytes of WebAssembly each. Here a single merge
//! sort orders indices through a `dyn` comparison, and a small generic step moves the elements
//! into that order, so that the widget links one sort however many lists the crate sorts.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (equal items keep their order), like `slice::sort_by`.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = {
        let items = &*items;
        sorted_indices(
            items.len(),
            &mut |a, b| match (items.get(a), items.get(b)) {
                (Some(a), Some(b)) => compare(a, b),
                _ => Ordering::Equal,
            },
        )
    };
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .iter()
            .filter_map(|&index| slots.get_mut(index).and_then(Option::take)),
    );
}

/// Sorts `items` by the key `key` gives each, stably, like `slice::sort_by_key`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The indices `0..len` ordered by `compare`, equal ones in increasing order: a bottom-up
/// merge sort, not generic, so compiled once.
fn sorted_indices(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..len).collect();
    let mut to: Vec<usize> = Vec::with_capacity(len);
    let mut width = 1;
    while width < len {
        to.clear();
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            // Runs already in order (much of a directory sorted by routing number, say) take
            // one comparison.
            if let (Some(&last), Some(&first)) =
                (from.get(middle.wrapping_sub(1)), from.get(middle))
                && middle > start
                && compare(first, last) != Ordering::Less
            {
                left = middle;
                to.extend_from_slice(from.get(start..middle).unwrap_or_default());
            }
            while left < middle && right < end {
                let (Some(&a), Some(&b)) = (from.get(left), from.get(right)) else {
                    break;
                };
                // Ties take the left run first: the sort is stable.
                if compare(b, a) == Ordering::Less {
                    to.push(b);
                    right += 1;
                } else {
                    to.push(a);
                    left += 1;
                }
            }
            to.extend_from_slice(from.get(left..middle).unwrap_or_default());
            to.extend_from_slice(from.get(right..end).unwrap_or_default());
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

#[cfg(test)]
mod tests {
    use super::{sort_by, sort_by_key};

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        let mut seed: u64 = 3;
        for len in 0..70 {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (((seed >> 33) % 5) as u8, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            let mut sorted = items.clone();
            sort_by_key(&mut sorted, |item| item.0);
            assert_eq!(sorted, expected, "{len} items");
            let mut descending = items;
            sort_by(&mut descending, |a, b| b.cmp(a));
            expected.sort_by(|a, b| b.cmp(a));
            assert_eq!(descending, expected, "{len} items, descending");
        }
    }
}
