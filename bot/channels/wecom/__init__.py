"""WeCom: the app callback at /wecom for staff, and 微信客服 (kf) through which WeChat customers reach the shop."""
