//! A list that keeps its first items in memory and the rest in an anonymous temporary file, one JSON line
//! each: a dry run of a file of any size lists every action and every rejected row in bounded memory.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Items kept in memory before the rest go to the file.
const IN_MEMORY: usize = 10_000;

pub struct Spill<T> {
    head: Vec<T>,
    file: Option<BufWriter<File>>,
    spilled: u64,
    /// The first write that failed: pushing never fails, `seal` says so.
    failed: Option<std::io::Error>,
}

impl<T> Default for Spill<T> {
    fn default() -> Self {
        Self { head: Vec::new(), file: None, spilled: 0, failed: None }
    }
}

impl<T> std::fmt::Debug for Spill<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spill({} items, {} in a file)", self.head.len() as u64 + self.spilled, self.spilled)
    }
}

impl<T: Serialize + DeserializeOwned + Clone> Spill<T> {
    pub fn push(&mut self, item: T) {
        if self.head.len() < IN_MEMORY {
            self.head.push(item);
            return;
        }
        if self.failed.is_some() {
            return;
        }
        let written = (|| -> std::io::Result<()> {
            if self.file.is_none() {
                self.file = Some(BufWriter::new(tempfile::tempfile()?));
            }
            let out = self.file.as_mut().expect("opened above");
            serde_json::to_writer(&mut *out, &item)?;
            out.write_all(b"\n")
        })();
        match written {
            Ok(()) => self.spilled += 1,
            Err(e) => self.failed = Some(e),
        }
    }

    pub fn len(&self) -> u64 {
        self.head.len() as u64 + self.spilled
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the writing: the items can be read from here on. Says whether every item was kept.
    pub fn seal(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(out) = self.file.as_mut() {
            out.flush()?;
        }
        Ok(())
    }

    /// Every item in order (after `seal`). One reading at a time: they share the file's position.
    pub fn iter(&self) -> std::io::Result<impl Iterator<Item = std::io::Result<T>> + '_> {
        let rest = match &self.file {
            Some(out) => {
                let mut file = out.get_ref().try_clone()?;
                file.seek(SeekFrom::Start(0))?;
                Some(BufReader::new(file).lines().take(self.spilled as usize))
            }
            None => None,
        };
        let rest = rest.into_iter().flatten().map(|line| Ok(serde_json::from_str(&line?)?));
        Ok(self.head.iter().cloned().map(Ok).chain(rest))
    }

    /// The first `n` items (those kept in memory when `n` is at most `IN_MEMORY`).
    pub fn first(&self, n: usize) -> std::io::Result<Vec<T>> {
        self.iter()?.take(n).collect()
    }
}

impl<T: Serialize + DeserializeOwned + Clone> Serialize for Spill<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.len() as usize))?;
        for item in self.iter().map_err(S::Error::custom)? {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_items_in_memory_and_the_rest_in_a_file_in_order() {
        let mut list: Spill<(u64, String)> = Spill::default();
        let n = IN_MEMORY as u64 + 2_500;
        for i in 0..n {
            list.push((i, format!("item {i}")));
        }
        list.seal().unwrap();
        assert_eq!(list.len(), n);
        assert!(list.file.is_some() && list.head.len() == IN_MEMORY);
        let all: Vec<(u64, String)> = list.iter().unwrap().collect::<std::io::Result<_>>().unwrap();
        assert_eq!(all.len() as u64, n);
        assert!(all.iter().enumerate().all(|(i, (j, s))| i as u64 == *j && *s == format!("item {j}")));
        // Read twice, and as JSON.
        assert_eq!(list.iter().unwrap().count() as u64, n);
        let json: Vec<(u64, String)> = serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(json, all);
        assert_eq!(list.first(3).unwrap(), all[..3]);
    }
}
