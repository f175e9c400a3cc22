//! Resource tags: a handful per resource, kept as one sorted vector.
//!
//! A `BTreeMap<String, String>` allocates a node for eleven entries even for one tag (~540 bytes);
//! with 100,000 tagged resources held twice (the inventory and, in `--demo`, the simulator) that
//! alone was ~80 MB. Sorted by key, so iteration and output stay stable, as with the map.

use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Tags(Vec<(CompactString, CompactString)>);

impl Tags {
    pub fn new() -> Self {
        Tags(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key`, returning its previous value (as `BTreeMap::insert` does).
    pub fn insert(
        &mut self,
        key: impl Into<CompactString>,
        value: impl Into<CompactString>,
    ) -> Option<CompactString> {
        let (key, value) = (key.into(), value.into());
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<CompactString> {
        self.position(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Key/value pairs in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut CompactString)> {
        self.0.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, v)| v.as_str())
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut CompactString) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Into<CompactString>, V: Into<CompactString>> Extend<(K, V)> for Tags {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Into<CompactString>, V: Into<CompactString>> FromIterator<(K, V)> for Tags {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut t = Tags::new();
        t.extend(iter);
        t.0.shrink_to_fit();
        t
    }
}

impl<K: Into<CompactString>, V: Into<CompactString>, const N: usize> From<[(K, V); N]> for Tags {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl IntoIterator for Tags {
    type Item = (CompactString, CompactString);
    type IntoIter = std::vec::IntoIter<(CompactString, CompactString)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (CompactString, CompactString)>,
        fn(&'a (CompactString, CompactString)) -> (&'a str, &'a str),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Serialized as a JSON object, exactly as the map it replaces.
impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<CompactString, CompactString>::deserialize(d)?;
        Ok(map.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pairs: &[(&str, &str)]) -> Tags {
        pairs.iter().copied().collect()
    }

    #[test]
    fn behaves_like_a_sorted_map() {
        let mut tags = t(&[("role", "web"), ("Name", "web-1"), ("env", "prod")]);
        assert_eq!(tags.keys().collect::<Vec<_>>(), ["Name", "env", "role"]);
        assert_eq!(tags.get("role"), Some("web"));
        assert_eq!(tags.get("missing"), None);
        assert_eq!(tags.insert("role", "db"), Some("web".into()));
        assert_eq!(tags.insert("a", "1"), None);
        assert_eq!(tags.len(), 4);
        assert_eq!(tags.remove("env"), Some("prod".into()));
        assert!(!tags.contains_key("env"));
        tags.retain(|k, _| k != "a");
        assert_eq!(tags, t(&[("Name", "web-1"), ("role", "db")]));
        // Later pairs win, as inserting them one by one into a map would.
        assert_eq!(t(&[("k", "1"), ("k", "2")]).get("k"), Some("2"));
    }

    #[test]
    fn json_is_an_object_in_key_order() {
        let tags = t(&[("role", "web"), ("Name", "web-1")]);
        let json = serde_json::to_string(&tags).expect("serializes");
        assert_eq!(json, r#"{"Name":"web-1","role":"web"}"#);
        let back: Tags = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, tags);
    }
}
