//! Tracking links: the playbook's UTM parameters and the lead id appended to a URL without breaking its
//! existing query string or fragment.

use crate::domain::ValidationError;

/// What a link is tagged with.
#[derive(Debug, Clone, Default)]
pub struct LinkTags {
    /// utm_source: the channel the message goes out on (linkedin, email, whatsapp, ...).
    pub channel: String,
    /// utm_campaign, e.g. dm_outreach_v2.
    pub campaign: Option<String>,
    /// utm_content: the message variant (A → variant_A).
    pub variant: Option<String>,
    pub lead_id: String,
}

const OURS: [&str; 4] = ["utm_source", "utm_campaign", "utm_content", "lead_id"];

/// The URL with the tags set (replacing any earlier values of the same parameters, keeping all others).
pub fn tracking_link(url: &str, tags: &LinkTags) -> Result<String, ValidationError> {
    let typed = url.trim();
    // "mailto:x" or "javascript:x" is another kind of address; "example.com:8080/x" is a host with a port.
    let other_scheme = typed.split_once(':').is_some_and(|(scheme, rest)| {
        !scheme.contains(['/', '.']) && !rest.starts_with(|c: char| c.is_ascii_digit()) && !rest.starts_with("//")
    });
    if other_scheme {
        return Err(ValidationError::new("--url", url, "is not a web address such as https://example.com/page"));
    }
    let with_scheme = if typed.contains("://") { typed.to_string() } else { format!("https://{typed}") };
    let mut u = url::Url::parse(&with_scheme)
        .map_err(|e| ValidationError::new("--url", url, format!("is not a web address ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(|h| !h.contains('.') && h != "localhost") {
        return Err(ValidationError::new("--url", url, "is not a web address such as https://example.com/page"));
    }
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !OURS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let variant = tags
        .variant
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| if v.to_lowercase().starts_with("variant_") { v.to_string() } else { format!("variant_{v}") });
    {
        let mut q = u.query_pairs_mut();
        q.clear();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair("utm_source", tags.channel.trim());
        if let Some(c) = tags.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            q.append_pair("utm_campaign", c);
        }
        if let Some(v) = &variant {
            q.append_pair("utm_content", v);
        }
        q.append_pair("lead_id", &tags.lead_id);
    }
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> LinkTags {
        LinkTags {
            channel: "linkedin".into(),
            campaign: Some("dm_outreach_v2".into()),
            variant: Some("B".into()),
            lead_id: "0190".into(),
        }
    }

    #[test]
    fn keeps_query_and_fragment() {
        let l = tracking_link("https://example.com/p?ref=x&utm_source=old#pricing", &tags()).unwrap();
        assert_eq!(
            l,
            "https://example.com/p?ref=x&utm_source=linkedin&utm_campaign=dm_outreach_v2&utm_content=variant_B&lead_id=0190#pricing"
        );
        let l = tracking_link("example.com", &LinkTags { campaign: None, variant: None, ..tags() }).unwrap();
        assert_eq!(l, "https://example.com/?utm_source=linkedin&lead_id=0190");
        assert!(tracking_link("not a url", &tags()).is_err());
        assert!(tracking_link("mailto:a@b.co", &tags()).is_err());
    }
}
