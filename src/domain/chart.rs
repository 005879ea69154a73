//! Chart geometry: scales with round tick values, stacked bars and a 100 % split bar, in the
//! coordinates of an SVG view box. Pure arithmetic, so the server and the browser draw the
//! same chart (hydration compares them) and the tests can check it without a browser.
//!
//! Values are counts (never money); coordinates are `f64` view-box units.

/// Where the plot sits inside the view box: the margins hold the axis labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn plot_width(&self) -> f64 {
        (self.width - self.left - self.right).max(0.0)
    }

    pub fn plot_height(&self) -> f64 {
        (self.height - self.top - self.bottom).max(0.0)
    }

    /// The y of the value 0.
    pub fn baseline(&self) -> f64 {
        self.top + self.plot_height()
    }
}

/// A value axis from 0 to `max` in steps of `step`, both round numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub max: i64,
    pub step: i64,
}

impl Scale {
    /// The smallest axis with a 1, 2 or 5 × 10ⁿ step and at most `max_ticks` steps above 0
    /// that reaches `largest`. An empty chart still gets an axis (0 to 1).
    pub fn nice(largest: i64, max_ticks: u32) -> Scale {
        let largest = largest.max(1).unsigned_abs();
        // The step must cover largest / ticks; the first round number at least that large.
        let needed = largest.div_ceil(u64::from(max_ticks.max(1)));
        let mut magnitude = 1_u64;
        loop {
            for factor in [1, 2, 5] {
                let step = magnitude.saturating_mul(factor);
                if step >= needed {
                    let max = step.saturating_mul(largest.div_ceil(step)).min(i64::MAX as u64);
                    return Scale { max: max as i64, step: step as i64 };
                }
            }
            magnitude = magnitude.saturating_mul(10);
        }
    }

    /// 0, step, 2 × step, … max.
    pub fn ticks(&self) -> Vec<i64> {
        (0..=self.max / self.step).map(|i| i * self.step).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: i64,
    pub y: f64,
}

/// One series' part of a bar; series with nothing to show have no segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub series: usize,
    pub value: i64,
    pub y: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    /// The middle of the bar's slot, where its axis label goes.
    pub center: f64,
    pub total: i64,
    /// Bottom to top, in series order.
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    pub scale: Scale,
    pub ticks: Vec<Tick>,
    pub bars: Vec<Bar>,
}

/// Share of a slot a bar leaves empty, so that neighbours stay apart.
const BAR_GAP: f64 = 0.25;

/// One bar per entry of `stacks`, evenly spaced across the plot, its series stacked from the
/// bottom in order. Negative values count as 0.
pub fn stacked_bars<const N: usize>(stacks: &[[i64; N]], frame: &Frame, max_ticks: u32) -> StackedBars {
    let totals: Vec<i64> =
        stacks.iter().map(|s| s.iter().fold(0_i64, |sum, v| sum.saturating_add((*v).max(0)))).collect();
    let scale = Scale::nice(totals.iter().copied().max().unwrap_or(0), max_ticks);
    let baseline = frame.baseline();
    let y_of = |value: i64| baseline - value as f64 / scale.max as f64 * frame.plot_height();
    let slot = if stacks.is_empty() { 0.0 } else { frame.plot_width() / stacks.len() as f64 };
    let bars = stacks
        .iter()
        .zip(&totals)
        .enumerate()
        .map(|(i, (stack, total))| {
            let slot_start = frame.left + slot * i as f64;
            // Each edge comes from the running sum, so segments meet without gaps or overlap
            // however the divisions round.
            let mut below = 0_i64;
            let segments = stack
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0)
                .map(|(series, value)| {
                    let (bottom, top) = (y_of(below), y_of(below.saturating_add(*value)));
                    below = below.saturating_add(*value);
                    Segment { series, value: *value, y: top, height: bottom - top }
                })
                .collect();
            Bar {
                x: slot_start + slot * BAR_GAP / 2.0,
                width: slot * (1.0 - BAR_GAP),
                center: slot_start + slot / 2.0,
                total: *total,
                segments,
            }
        })
        .collect();
    let ticks = scale.ticks().into_iter().map(|value| Tick { value, y: y_of(value) }).collect();
    StackedBars { scale, ticks, bars }
}

/// One series' part of a 100 % bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub series: usize,
    pub value: i64,
    /// Tenths of a percent: 618 is 61.8 %.
    pub permille: u32,
    pub x: f64,
    pub width: f64,
}

/// Each value's share of the total in tenths of a percent, adding up to exactly 1000 (largest
/// remainder: the tenths lost to rounding down go to the values that lost most), or all 0
/// when there is nothing.
pub fn shares_permille<const N: usize>(values: [i64; N]) -> [u32; N] {
    let values = values.map(|v| v.max(0) as i128);
    let total: i128 = values.iter().sum();
    if total == 0 {
        return [0; N];
    }
    let mut shares = values.map(|v| (v * 1000 / total) as u32);
    let mut order: Vec<usize> = (0..N).collect();
    // Largest remainder first; ties go to the earlier series, so the result is stable.
    order.sort_by_key(|&i| std::cmp::Reverse(values[i] * 1000 % total));
    let missing = 1000 - shares.iter().sum::<u32>();
    for &i in order.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

/// A horizontal bar from `x` over `width`, split in proportion to `values`; series with
/// nothing to show have no part.
pub fn split_bar<const N: usize>(values: [i64; N], x: f64, width: f64) -> Vec<Share> {
    let values = values.map(|v| v.max(0));
    let total: i64 = values.iter().sum();
    if total == 0 {
        return Vec::new();
    }
    let permille = shares_permille(values);
    let edge = |sum: i64| x + sum as f64 / total as f64 * width;
    let mut before = 0_i64;
    (0..N)
        .filter(|&i| values[i] > 0)
        .map(|series| {
            let (start, end) = (edge(before), edge(before + values[series]));
            before += values[series];
            Share { series, value: values[series], permille: permille[series], x: start, width: end - start }
        })
        .collect()
}

/// "61.8%".
pub fn format_permille(permille: u32) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame { width: 340.0, height: 120.0, left: 30.0, right: 10.0, top: 10.0, bottom: 10.0 };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn scales_end_on_a_round_number_above_the_largest_value() {
        assert_eq!(Scale::nice(0, 5), Scale { max: 1, step: 1 });
        assert_eq!(Scale::nice(1, 5), Scale { max: 1, step: 1 });
        assert_eq!(Scale::nice(7, 5), Scale { max: 8, step: 2 });
        assert_eq!(Scale::nice(10, 5), Scale { max: 10, step: 2 });
        assert_eq!(Scale::nice(11, 5), Scale { max: 15, step: 5 });
        assert_eq!(Scale::nice(100, 5), Scale { max: 100, step: 20 });
        assert_eq!(Scale::nice(1_234, 5), Scale { max: 1_500, step: 500 });
        assert_eq!(Scale::nice(4_999, 5), Scale { max: 5_000, step: 1_000 });
        assert_eq!(Scale::nice(5_001, 5), Scale { max: 6_000, step: 2_000 });
        assert!(Scale::nice(i64::MAX, 5).max >= i64::MAX / 2);
        assert_eq!(Scale::nice(8_000, 5).ticks(), vec![0, 2_000, 4_000, 6_000, 8_000]);
    }

    #[test]
    fn scales_keep_to_the_tick_budget_and_cover_every_value() {
        for largest in (0..5_000).step_by(7).chain([99_999, 1_000_001, 123_456_789]) {
            for max_ticks in 1..8 {
                let scale = Scale::nice(largest, max_ticks);
                assert!(scale.max >= largest, "{largest} {max_ticks}: {scale:?}");
                assert_eq!(scale.max % scale.step, 0);
                assert!(scale.ticks().len() as u32 <= max_ticks + 1, "{largest} {max_ticks}: {scale:?}");
                let digits = scale.step.to_string();
                assert!(matches!(&digits[..1], "1" | "2" | "5") && digits[1..].bytes().all(|b| b == b'0'), "{scale:?}");
            }
        }
    }

    #[test]
    fn bars_stack_series_from_the_baseline_in_proportion() {
        let chart = stacked_bars(&[[30, 10, 0], [0, 0, 0], [5, 0, 5]], &FRAME, 4);
        assert_eq!(chart.scale, Scale { max: 40, step: 10 });
        assert_eq!(chart.ticks.iter().map(|t| t.value).collect::<Vec<_>>(), vec![0, 10, 20, 30, 40]);
        assert!(close(chart.ticks[0].y, 110.0) && close(chart.ticks[4].y, 10.0));

        let first = &chart.bars[0];
        assert_eq!(first.total, 40);
        // Three slots of 100 across the plot, a quarter of each left empty.
        assert!(close(first.x, 42.5) && close(first.width, 75.0) && close(first.center, 80.0));
        assert_eq!(first.segments.iter().map(|s| s.series).collect::<Vec<_>>(), vec![0, 1]);
        assert!(close(first.segments[0].y, 35.0) && close(first.segments[0].height, 75.0));
        assert!(close(first.segments[1].y, 10.0) && close(first.segments[1].height, 25.0));
        assert!(close(first.segments[1].y + first.segments[1].height, first.segments[0].y), "segments meet");

        assert!(chart.bars[1].segments.is_empty(), "nothing to draw on an empty day");
        assert_eq!(chart.bars[1].total, 0);
        assert_eq!(chart.bars[2].segments.iter().map(|s| s.series).collect::<Vec<_>>(), vec![0, 2]);
        assert!(close(chart.bars[2].x, 242.5));
    }

    #[test]
    fn bars_of_awkward_values_still_reach_exactly_their_total() {
        let chart = stacked_bars(&[[333, 333, 334], [1, 1, 1]], &FRAME, 5);
        for bar in &chart.bars {
            let top = bar.segments.last().unwrap().y;
            let expected = FRAME.baseline() - bar.total as f64 / chart.scale.max as f64 * FRAME.plot_height();
            assert!(close(top, expected));
            let heights: f64 = bar.segments.iter().map(|s| s.height).sum();
            assert!(close(heights, FRAME.baseline() - top));
        }
    }

    #[test]
    fn no_bars_is_an_empty_chart_with_an_axis() {
        let chart = stacked_bars::<3>(&[], &FRAME, 5);
        assert!(chart.bars.is_empty());
        assert_eq!(chart.scale, Scale { max: 1, step: 1 });
    }

    #[test]
    fn shares_add_up_to_exactly_one_hundred_percent() {
        assert_eq!(shares_permille([1, 1, 1]), [334, 333, 333]);
        assert_eq!(shares_permille([2, 1, 0]), [667, 333, 0]);
        assert_eq!(shares_permille([0, 0, 0]), [0, 0, 0]);
        // A tiny share rounds to 0.0 % rather than breaking the 100 %.
        assert_eq!(shares_permille([1, 0, 999_999]), [0, 0, 1000]);
        for values in [[7, 13, 29], [1, 2, 3], [999, 1, 0], [i64::MAX / 4, i64::MAX / 4, 3]] {
            assert_eq!(shares_permille(values).iter().sum::<u32>(), 1000, "{values:?}");
        }
        assert_eq!(format_permille(618), "61.8%");
        assert_eq!(format_permille(1000), "100.0%");
        assert_eq!(format_permille(5), "0.5%");
    }

    #[test]
    fn a_split_bar_fills_its_width_in_proportion() {
        let parts = split_bar([50, 0, 150], 10.0, 400.0);
        assert_eq!(parts.len(), 2);
        assert!(close(parts[0].x, 10.0) && close(parts[0].width, 100.0));
        assert_eq!((parts[0].series, parts[0].permille), (0, 250));
        assert!(close(parts[1].x, 110.0) && close(parts[1].width, 300.0));
        assert_eq!((parts[1].series, parts[1].value, parts[1].permille), (2, 150, 750));
        assert!(split_bar([0, 0, 0], 0.0, 100.0).is_empty());
    }
}
