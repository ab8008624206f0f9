//! A list that keeps its first items in memory and the rest in an anonymous temporary file, one JSON line
//! each: a dry run of a file of any size lists every action and every rejected row in bounded memory.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;

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
                // Unnamed: nothing of it is left on disk, whatever ends the process.
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

    /// Every item in order (after `seal`); each reading has a position of its own. A file that gives back
    /// fewer items than were written ends with an error, never short without a word.
    pub fn iter(&self) -> std::io::Result<impl Iterator<Item = std::io::Result<T>> + '_> {
        let rest = match &self.file {
            Some(out) => Some(BufReader::new(ReadAt { file: out.get_ref().try_clone()?, at: 0 }).lines()),
            None => None,
        };
        let expected = self.spilled;
        let mut read = 0u64;
        let mut rest = rest.into_iter().flatten();
        let rest = std::iter::from_fn(move || {
            if read == expected {
                return None;
            }
            read += 1;
            Some(match rest.next() {
                Some(line) => line.and_then(|l| Ok(serde_json::from_str(&l)?)),
                None => {
                    read = expected;
                    Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a temporary file came back short"))
                }
            })
        });
        Ok(self.head.iter().cloned().map(Ok).chain(rest))
    }

    /// The first `n` items (those kept in memory when `n` is at most `IN_MEMORY`).
    pub fn first(&self, n: usize) -> std::io::Result<Vec<T>> {
        self.iter()?.take(n).collect()
    }
}

/// A reading of a file from a position of its own (a cloned handle shares the file's position; positional
/// reads leave it alone), so readings and writes do not move each other.
struct ReadAt {
    file: File,
    at: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
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
        // Read twice, two readings at once, and as JSON.
        assert_eq!(list.iter().unwrap().count() as u64, n);
        let (mut a, mut b) = (list.iter().unwrap().skip(IN_MEMORY), list.iter().unwrap().skip(IN_MEMORY));
        assert_eq!(a.next().unwrap().unwrap(), b.next().unwrap().unwrap());
        assert_eq!(a.next().unwrap().unwrap().0, IN_MEMORY as u64 + 1);
        let json: Vec<(u64, String)> = serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(json, all);
        assert_eq!(list.first(3).unwrap(), all[..3]);
    }
}
