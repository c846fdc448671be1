//! Bedrock's batch backlog of a model from CloudWatch (`AWS/Bedrock/Batch`, by `ModelId`) through
//! aws-sdk-cloudwatch's GetMetricData: the latest minute's value of each metric over the last quarter hour.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use batch_app::ports::ServiceError;
use batch_core::batch_backlog::{
    INPUT_TOKENS_PER_MINUTE, MODEL_DIMENSION, ModelBacklog, NAMESPACE, OUTPUT_TOKENS_PER_MINUTE, RECORDS_PENDING,
    TOKENS_PENDING,
};

use crate::failure::service_error;

const OP: &str = "GetMetricData";
/// How far back a value counts as current.
const WINDOW_SECONDS: i64 = 15 * 60;

/// The query of one metric of `model_id`, its id `id`: the average of each minute.
fn query(id: &str, metric: &str, model_id: &str) -> MetricDataQuery {
    let dimension = Dimension::builder().name(MODEL_DIMENSION).value(model_id).build();
    let metric = Metric::builder().namespace(NAMESPACE).metric_name(metric).dimensions(dimension).build();
    let stat = MetricStat::builder().metric(metric).period(60).stat("Average").build();
    MetricDataQuery::builder().id(id).metric_stat(stat).return_data(true).build()
}

/// The latest value of each batch metric of `model_id`; a metric with no value in the window stays none.
pub async fn model_backlog(client: &Client, model_id: &str) -> Result<ModelBacklog, ServiceError> {
    let now = batch_core::clock::unix_now();
    let metrics = [
        ("records", RECORDS_PENDING),
        ("tokens", TOKENS_PENDING),
        ("input", INPUT_TOKENS_PER_MINUTE),
        ("output", OUTPUT_TOKENS_PER_MINUTE),
    ];
    let mut request = client
        .get_metric_data()
        .start_time(DateTime::from_secs(now - WINDOW_SECONDS))
        .end_time(DateTime::from_secs(now + 60))
        .scan_by(ScanBy::TimestampDescending);
    for (id, metric) in metrics {
        request = request.metric_data_queries(query(id, metric, model_id));
    }
    let mut backlog = ModelBacklog::default();
    let mut pages = request.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| service_error(OP, e))?;
        for result in page.metric_data_results() {
            // The value of the latest minute (pages come newest first; the first page with one wins).
            let latest = result.timestamps().iter().zip(result.values()).max_by_key(|(t, _)| t.secs()).map(|(_, v)| *v);
            let slot = match result.id() {
                Some("records") => &mut backlog.records_pending,
                Some("tokens") => &mut backlog.tokens_pending,
                Some("input") => &mut backlog.input_tokens_per_minute,
                Some("output") => &mut backlog.output_tokens_per_minute,
                _ => continue,
            };
            if slot.is_none() {
                *slot = latest;
            }
        }
    }
    Ok(backlog)
}
