"""Push targets: one per platform, each turning a `PushMessage` into that platform's API call."""
