"""After-sales requests in chat: the flow from "我要退货" to a filed case, the draft it fills, the shop's
policy it checks against, how a case reads to customers and agents, and their words."""
