//! CloudWatch's `AWS/Bedrock/Batch` metrics of the emulated jobs, served as GetMetricData in the two protocols
//! CloudWatch's model lists first: Smithy RPC v2 CBOR (`POST /service/GraniteServiceVersion20100801/operation/
//! GetMetricData`, what aws-sdk-cloudwatch speaks) and AWS JSON 1.0 (`POST /` with `X-Amz-Target:
//! GraniteServiceVersion20100801.GetMetricData`, what botocore prefers). Per `ModelId`: the records pending now (one point, this minute), and the input and output
//! tokens processed in each minute a job of the model answered records. `NumberOfTokensPendingProcessing`, which
//! AWS publishes for Claude models only, is not emulated.

use batch_core::batch_backlog::{
    INPUT_TOKENS_PER_MINUTE, MODEL_DIMENSION, NAMESPACE, OUTPUT_TOKENS_PER_MINUTE, RECORDS_PENDING,
};
use ciborium::Value;

use crate::registry::Registry;

/// The route's service and operation segments.
pub(crate) const SERVICE: &str = "GraniteServiceVersion20100801";

/// A CloudWatch error: its shape name and message.
#[derive(Debug)]
pub(crate) struct MetricsError {
    pub code: &'static str,
    pub message: String,
}

fn invalid(message: impl Into<String>) -> MetricsError {
    MetricsError { code: "InvalidParameterValueException", message: message.into() }
}

/// The value of `key` in a CBOR map.
fn field<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

fn text<'a>(map: &'a Value, key: &str) -> Option<&'a str> {
    field(map, key).and_then(Value::as_text)
}

/// A timestamp: CBOR tag 1 around epoch seconds (integer or float), as RPC v2 CBOR sends them.
fn epoch_seconds(value: &Value) -> Option<i64> {
    let inner = match value {
        Value::Tag(1, inner) => inner.as_ref(),
        other => other,
    };
    match inner {
        Value::Integer(i) => i64::try_from(i128::from(*i)).ok(),
        Value::Float(f) if f.is_finite() => Some(f.floor() as i64),
        _ => None,
    }
}

/// One query of the request: its id, and the metric and model it asks for.
struct Query<'a> {
    id: &'a str,
    metric: &'a str,
    model: Option<&'a str>,
}

fn parse_query(query: &Value) -> Result<Query<'_>, MetricsError> {
    let id = text(query, "Id").ok_or_else(|| invalid("Each MetricDataQuery needs an Id."))?;
    let stat = field(query, "MetricStat")
        .ok_or_else(|| invalid(format!("The query {id} has no MetricStat (expressions are not emulated).")))?;
    let metric = field(stat, "Metric").ok_or_else(|| invalid(format!("The query {id} has no Metric.")))?;
    let name = text(metric, "MetricName").ok_or_else(|| invalid(format!("The query {id} has no MetricName.")))?;
    let in_namespace = text(metric, "Namespace") == Some(NAMESPACE);
    let model = field(metric, "Dimensions")
        .and_then(Value::as_array)
        .and_then(|dims| dims.iter().find(|d| text(d, "Name") == Some(MODEL_DIMENSION)))
        .and_then(|d| text(d, "Value"));
    Ok(Query { id, metric: if in_namespace { name } else { "" }, model })
}

/// The points of one query between `start` and `end` (epoch seconds), newest first.
fn points(registry: &Registry, query: &Query<'_>, start: i64, end: i64, now: i64) -> Vec<(i64, f64)> {
    let Some(model) = query.model else { return Vec::new() };
    let minute = |t: i64| t - t.rem_euclid(60);
    let mut points: Vec<(i64, f64)> = match query.metric {
        RECORDS_PENDING => registry.records_pending(model).map(|n| (minute(now), n as f64)).into_iter().collect(),
        INPUT_TOKENS_PER_MINUTE | OUTPUT_TOKENS_PER_MINUTE => {
            let input = query.metric == INPUT_TOKENS_PER_MINUTE;
            let mut sums = std::collections::BTreeMap::<i64, f64>::new();
            for (at, input_tokens, output_tokens) in registry.processed(model) {
                *sums.entry(minute(at)).or_default() += if input { input_tokens } else { output_tokens } as f64;
            }
            sums.into_iter().collect()
        }
        _ => Vec::new(),
    };
    points.retain(|(t, _)| (minute(start)..end).contains(t));
    points.sort_by_key(|p| std::cmp::Reverse(p.0));
    points
}

/// The wire format of a request and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// Smithy RPC v2 CBOR.
    Cbor,
    /// AWS JSON 1.0.
    Json,
}

impl Wire {
    /// The answer's content type.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Cbor => "application/cbor",
            Self::Json => "application/x-amz-json-1.0",
        }
    }

    fn decode(self, body: &[u8]) -> Result<Value, MetricsError> {
        match self {
            Self::Cbor => {
                ciborium::from_reader(body).map_err(|e| invalid(format!("The request body is not CBOR: {e}")))
            }
            Self::Json => {
                serde_json::from_slice(body).map_err(|e| invalid(format!("The request body is not JSON: {e}")))
            }
        }
    }

    fn encode(self, value: &Value) -> Vec<u8> {
        match self {
            Self::Cbor => {
                let mut out = Vec::new();
                // Writing to a Vec cannot fail.
                let _ = ciborium::into_writer(value, &mut out);
                out
            }
            Self::Json => json_of(value).to_string().into_bytes(),
        }
    }
}

/// A CBOR value as JSON: a timestamp (tag 1) becomes its epoch seconds, as AWS JSON sends times.
fn json_of(value: &Value) -> serde_json::Value {
    match value {
        Value::Tag(_, inner) => json_of(inner),
        Value::Integer(i) => serde_json::json!(i128::from(*i) as i64),
        Value::Float(f) => serde_json::json!(f),
        Value::Text(t) => serde_json::json!(t),
        Value::Bool(b) => serde_json::json!(b),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(json_of).collect()),
        Value::Map(pairs) => serde_json::Value::Object(
            pairs.iter().filter_map(|(k, v)| Some((k.as_text()?.to_string(), json_of(v)))).collect(),
        ),
        _ => serde_json::Value::Null,
    }
}

/// The GetMetricData answer to `body` in `wire`'s format.
pub(crate) fn get_metric_data(registry: &Registry, wire: Wire, body: &[u8], now: i64) -> Result<Vec<u8>, MetricsError> {
    let request = wire.decode(body)?;
    let start =
        field(&request, "StartTime").and_then(epoch_seconds).ok_or_else(|| invalid("StartTime is required."))?;
    let end = field(&request, "EndTime").and_then(epoch_seconds).ok_or_else(|| invalid("EndTime is required."))?;
    if end <= start {
        return Err(invalid("The parameter StartTime must be less than the parameter EndTime."));
    }
    let queries = field(&request, "MetricDataQueries")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| invalid("MetricDataQueries needs at least one query."))?;
    let mut results = Vec::new();
    for query in queries {
        let query = parse_query(query)?;
        let points = points(registry, &query, start, end, now);
        let timestamps = points.iter().map(|(t, _)| Value::Tag(1, Box::new(Value::Integer((*t).into())))).collect();
        let values = points.iter().map(|(_, v)| Value::Float(*v)).collect();
        results.push(Value::Map(vec![
            (Value::Text("Id".into()), Value::Text(query.id.to_string())),
            (Value::Text("Label".into()), Value::Text(query.metric.to_string())),
            (Value::Text("Timestamps".into()), Value::Array(timestamps)),
            (Value::Text("Values".into()), Value::Array(values)),
            (Value::Text("StatusCode".into()), Value::Text("Complete".into())),
        ]));
    }
    let answer = Value::Map(vec![
        (Value::Text("MetricDataResults".into()), Value::Array(results)),
        (Value::Text("Messages".into()), Value::Array(Vec::new())),
    ]);
    Ok(wire.encode(&answer))
}

/// An error's body in `wire`'s format (`__type` and `message`, as both protocols shape errors).
pub(crate) fn error_body(wire: Wire, error: &MetricsError) -> Vec<u8> {
    wire.encode(&Value::Map(vec![
        (Value::Text("__type".into()), Value::Text(format!("com.amazonaws.cloudwatch#{}", error.code))),
        (Value::Text("message".into()), Value::Text(error.message.clone())),
    ]))
}
