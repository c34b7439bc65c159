"""What WeChat Official Accounts and WeCom share: the server API with its access token, and the signed callbacks."""
