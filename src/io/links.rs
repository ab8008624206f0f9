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
    let host_ok = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || (d.contains('.') && !d.starts_with('.') && !d.contains("..")),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    if !matches!(u.scheme(), "http" | "https") || !host_ok {
        return Err(ValidationError::new("--url", url, "is not a web address such as https://example.com/page"));
    }
    // A link goes to a prospect: a login written into it would go along.
    if !u.username().is_empty() || u.password().is_some() {
        return Err(ValidationError::new("--url", url, "holds a user name or password (user:pass@); leave it out"));
    }
    if tags.channel.trim().is_empty() {
        return Err(ValidationError::new(
            "--channel",
            &tags.channel,
            "is empty; name the channel (e.g. linkedin, email)",
        ));
    }
    let variant = tags
        .variant
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        // The playbook's prefix written one way, whoever typed it how ("VARIANT_c" is variant_c); the
        // variant's own name as given.
        .map(|v| match v.get(..8).filter(|p| p.eq_ignore_ascii_case("variant_")) {
            Some(_) => format!("variant_{}", &v[8..]),
            None => format!("variant_{v}"),
        });
    let campaign = tags.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty());
    // As given: analytics tools tell "Newsletter" from "newsletter", and a campaign's tags must match.
    let mut ours: Vec<(&str, &str)> = vec![("utm_source", tags.channel.trim())];
    ours.extend(campaign.map(|c| ("utm_campaign", c)));
    ours.extend(variant.as_deref().map(|v| ("utm_content", v)));
    ours.push(("lead_id", &tags.lead_id));
    // The existing query is kept byte for byte (its encoding, `;` inside values, bare flags); only the
    // parameters about to be set again are taken out.
    let kept = u.query().unwrap_or("").split('&').filter(|seg| {
        let key = url::form_urlencoded::parse(seg.as_bytes()).next().map(|(k, _)| k.into_owned());
        !seg.is_empty() && key.is_none_or(|k| !ours.iter().any(|(o, _)| *o == k))
    });
    let added = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&ours).finish();
    let query: Vec<&str> = kept.chain(std::iter::once(added.as_str())).collect();
    u.set_query(Some(&query.join("&")));
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
        for typed in ["VARIANT_c", "Variant_c", "variant_c", "c"] {
            let l = tracking_link("example.com", &LinkTags { campaign: None, variant: Some(typed.into()), ..tags() });
            assert_eq!(
                l.unwrap(),
                "https://example.com/?utm_source=linkedin&utm_content=variant_c&lead_id=0190",
                "{typed}"
            );
        }
        assert!(tracking_link("not a url", &tags()).is_err());
        assert!(tracking_link("mailto:a@b.co", &tags()).is_err());
    }

    #[test]
    fn hosts_are_checked_and_logins_refused() {
        let bare = LinkTags { campaign: None, variant: None, ..tags() };
        let l = tracking_link("http://[2001:db8::1]:8080/p?q=1", &bare).unwrap();
        assert_eq!(l, "http://[2001:db8::1]:8080/p?q=1&utm_source=linkedin&lead_id=0190");
        assert!(tracking_link("https://192.0.2.7/x", &bare).is_ok());
        for bad in
            ["https://.example/p", "https://a..example/p", "https://user:pass@acme.example/p", "https://u@a.example"]
        {
            assert!(tracking_link(bad, &bare).is_err(), "{bad}");
        }
        assert!(tracking_link("https://a.example", &LinkTags { channel: " ".into(), ..bare.clone() }).is_err());
        let l = tracking_link("https://a.example", &LinkTags { channel: "Newsletter_Q3".into(), ..bare }).unwrap();
        assert!(l.contains("utm_source=Newsletter_Q3"), "{l}");
    }

    #[test]
    fn the_existing_query_is_kept_as_written() {
        let bare = LinkTags { campaign: None, variant: None, ..tags() };
        let l = tracking_link("https://a.example/x?q=a%20b&flag&a=1;b=2&utm_campaign=keep", &bare).unwrap();
        assert_eq!(l, "https://a.example/x?q=a%20b&flag&a=1;b=2&utm_campaign=keep&utm_source=linkedin&lead_id=0190");
    }
}
