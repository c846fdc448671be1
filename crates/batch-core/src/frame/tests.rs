//! Insights and comparisons over typed answers, checked against counts worked out by hand.

use super::compare::{RunAnswers, compare};
use super::insights::{FieldSummary, InsightsBuilder, ValueCount};
use crate::answer::{AnswerField, Cell, FieldKind};
use crate::results::Status;

fn label_field() -> AnswerField {
    AnswerField::new("label", FieldKind::OneOf(vec!["pos".into(), "neg".into(), "mixed".into()]), "")
}

fn counts(pairs: &[(&str, u64)]) -> Vec<ValueCount> {
    pairs.iter().map(|(value, rows)| ValueCount { value: (*value).into(), rows: *rows }).collect()
}

#[test]
fn labels_are_counted_in_their_listed_order_with_zeros_and_nulls_left_out() {
    let mut builder = InsightsBuilder::new(&[label_field()]);
    for label in ["neg", "pos", "neg", "", "neg"] {
        let cell = if label.is_empty() { Cell::Null } else { Cell::Text(label.into()) };
        builder.push([&cell]);
    }
    let insights = builder.finish().unwrap();
    assert_eq!(insights[0].values, 4);
    assert_eq!(
        insights[0].summary,
        Some(FieldSummary::Labels { counts: counts(&[("pos", 1), ("neg", 3), ("mixed", 0)]) })
    );
}

#[test]
fn numbers_get_quartiles_and_a_histogram_whose_bars_hold_every_value() {
    let fields = [AnswerField::new("score", FieldKind::Number, ""), AnswerField::new("n", FieldKind::Integer, "")];
    let mut builder = InsightsBuilder::new(&fields);
    for i in 0..=100 {
        builder.push([&Cell::Number(f64::from(i) / 10.0), &Cell::Integer(7)]);
    }
    let insights = builder.finish().unwrap();
    let Some(FieldSummary::Numbers { min, q1, median, q3, max, mean, histogram }) = &insights[0].summary else {
        panic!("{:?}", insights[0].summary)
    };
    assert_eq!((*min, *q1, *median, *q3, *max), (0.0, 2.5, 5.0, 7.5, 10.0));
    assert!((mean - 5.0).abs() < 1e-9);
    assert_eq!(histogram.len(), 10);
    assert_eq!(histogram.iter().map(|b| b.rows).sum::<u64>(), 101);
    // 0.0..0.9 in the first bar; 9.0..10.0 (max included) in the last.
    assert_eq!((histogram[0].rows, histogram[9].rows, histogram[9].to), (10, 11, 10.0));
    let Some(FieldSummary::Numbers { histogram, .. }) = &insights[1].summary else { panic!() };
    assert_eq!(histogram.len(), 1, "one value: one bar");
    assert_eq!(histogram[0].rows, 101);
}

#[test]
fn texts_and_lists_give_their_most_frequent_values_and_a_distinct_count() {
    let fields = [AnswerField::new("city", FieldKind::Text, ""), AnswerField::new("tags", FieldKind::TextList, "")];
    let mut builder = InsightsBuilder::new(&fields);
    let rows = [("Oslo", vec!["a", "b"]), ("Rome", vec!["b"]), ("Oslo", vec![]), ("Lima", vec!["b", "c"])];
    for (city, tags) in rows {
        builder.push([&Cell::Text(city.into()), &Cell::List(tags.into_iter().map(String::from).collect())]);
    }
    let insights = builder.finish().unwrap();
    assert_eq!(
        insights[0].summary,
        Some(FieldSummary::TopValues { distinct: 3, top: counts(&[("Oslo", 2), ("Lima", 1), ("Rome", 1)]) })
    );
    assert_eq!(
        insights[1].summary,
        Some(FieldSummary::TopValues { distinct: 3, top: counts(&[("b", 3), ("a", 1), ("c", 1)]) })
    );
}

#[test]
fn a_field_no_row_answered_has_no_summary() {
    let mut builder = InsightsBuilder::new(&[label_field()]);
    builder.push([&Cell::Null]);
    let insights = builder.finish().unwrap();
    assert_eq!((insights[0].values, insights[0].summary.clone()), (0, None));
}

#[test]
fn two_runs_agree_on_the_rows_both_answered_and_the_rest_are_listed_as_disagreements() {
    let fields = [label_field(), AnswerField::new("tags", FieldKind::TextList, "")];
    let mut a = RunAnswers::new("haiku", &fields);
    let mut b = RunAnswers::new("nova", &fields);
    let label = |l: &str| Cell::Text(l.into());
    let tags = |t: &[&str]| Cell::List(t.iter().map(|s| s.to_string()).collect());
    // Row 1 agree; 2 labels differ; 3 b failed; 4 agree (tags in another order); 5 only in a.
    a.push(1, Status::Succeeded, [&label("pos"), &tags(&["x"])]);
    a.push(2, Status::Succeeded, [&label("pos"), &tags(&["x"])]);
    a.push(3, Status::Succeeded, [&label("neg"), &tags(&[])]);
    a.push(4, Status::Succeeded, [&label("neg"), &tags(&["x", "y"])]);
    a.push(5, Status::Succeeded, [&label("neg"), &tags(&[])]);
    b.push(4, Status::Succeeded, [&label("neg"), &tags(&["y", "x"])]);
    b.push(3, Status::Failed, [&label("neg"), &tags(&[])]);
    b.push(2, Status::Succeeded, [&label("neg"), &tags(&["x"])]);
    b.push(1, Status::Succeeded, [&label("pos"), &tags(&["x"])]);
    let comparison = compare(vec![a, b]).unwrap();
    assert_eq!(comparison.rows, 4, "row 5 is not in both runs");
    let labels = &comparison.fields[0];
    assert_eq!((labels.compared, labels.agreed, labels.agreement), (3, 2, Some(2.0 / 3.0)));
    let cells: Vec<(String, String, u64)> =
        labels.confusion[0].cells.iter().map(|c| (c.first.clone(), c.other.clone(), c.rows)).collect();
    assert_eq!(
        cells,
        [("neg".into(), "neg".into(), 1), ("pos".into(), "neg".into(), 1), ("pos".into(), "pos".into(), 1)]
    );
    let tag_field = &comparison.fields[1];
    assert_eq!((tag_field.compared, tag_field.agreed), (3, 3), "list order does not count");
    assert!(tag_field.confusion.is_empty());
    let rows: Vec<u64> = comparison.disagreements.iter().map(|d| d.row).collect();
    assert_eq!(rows, [2, 3]);
    assert_eq!(comparison.disagreements[1].values[0], ["neg", ""]);
}
