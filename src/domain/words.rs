//! Types read from a fixed set of words (a flag's value, a config key): the words come from the type, in
//! the order of its `ALL`, so `--help`, completions and error messages cannot drift from what it reads.

/// The words of a type with `ALL` and a `const fn as_str`, as an array: `words!(Role)`.
macro_rules! words {
    ($t:ident) => {{
        let mut words = [""; $t::ALL.len()];
        let mut i = 0;
        while i < words.len() {
            words[i] = $t::ALL[i].as_str();
            i += 1;
        }
        words
    }};
}
pub(crate) use words;

/// `first` before `rest` ("auto" before the formats): a flag that takes one word more than its type.
pub const fn with_first<const N: usize, const M: usize>(
    first: &'static str,
    rest: [&'static str; N],
) -> [&'static str; M] {
    assert!(M == N + 1, "one word more");
    let mut words = [first; M];
    let mut i = 0;
    while i < N {
        words[i + 1] = rest[i];
        i += 1;
    }
    words
}

/// "must be a, b or c": what an error says a value must be.
pub fn must_be(words: &[&str]) -> String {
    match words {
        [] => "must be empty".into(),
        [one] => format!("must be {one}"),
        [rest @ .., last] => format!("must be {} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(must_be(&["admin", "rep"]), "must be admin or rep");
        assert_eq!(must_be(&["a", "b", "c"]), "must be a, b or c");
        const W: [&str; 3] = with_first("auto", ["csv", "json"]);
        assert_eq!(W, ["auto", "csv", "json"]);
    }
}
