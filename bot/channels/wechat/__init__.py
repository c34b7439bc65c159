"""The WeChat Official Account channel: callbacks at /wechat, passive replies, customer-service messages."""
