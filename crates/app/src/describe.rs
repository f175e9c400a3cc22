//! Describe: every field of one resource, as indented `key: value` lines (a YAML-like reading of
//! the domain type's serialised form, so nothing is left out when a field is added).

use serde_json::Value;

/// The lines of a describe, for a resource serialised by `ResourceKind::row_json`.
pub fn lines(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, 0, &mut out, None);
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("-".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if s.is_empty() => Some("\"\"".into()),
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(o) if o.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn walk(v: &Value, depth: usize, out: &mut Vec<String>, key: Option<&str>) {
    let pad = "  ".repeat(depth);
    match (key, scalar(v)) {
        (Some(k), Some(s)) => out.push(format!("{pad}{k}: {s}")),
        (None, Some(s)) => out.push(format!("{pad}{s}")),
        (k, None) => {
            let inner = match k {
                Some(k) => {
                    out.push(format!("{pad}{k}:"));
                    depth + 1
                }
                None => depth,
            };
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        walk(v, inner, out, Some(k));
                    }
                }
                Value::Array(items) => {
                    let ipad = "  ".repeat(inner);
                    for item in items {
                        match scalar(item) {
                            Some(s) => out.push(format!("{ipad}- {s}")),
                            None => {
                                let start = out.len();
                                walk(item, inner + 1, out, None);
                                // Mark the first line of each element with a dash.
                                if let Some(first) = out.get_mut(start) {
                                    let body = first.trim_start().to_string();
                                    *first = format!("{ipad}- {body}");
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_indent() {
        let v = serde_json::json!({
            "id": "i-1",
            "tags": {"Name": "web"},
            "block_devices": [{"device_name": "/dev/xvda", "volume_id": "vol-1"}],
            "ips": ["10.0.0.1"],
            "public_ip": null
        });
        let l = lines(&v);
        assert_eq!(
            l,
            vec![
                "block_devices:",
                "  - device_name: /dev/xvda",
                "    volume_id: vol-1",
                "id: i-1",
                "ips:",
                "  - 10.0.0.1",
                "public_ip: -",
                "tags:",
                "  Name: web",
            ]
        );
    }
}
