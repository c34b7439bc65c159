"""What the bot tells customers about talking to a person, Chinese first; `texts.say` reads these too."""

from __future__ import annotations

HANDOFF_TEXTS: dict[str, dict[str, str]] = {
    "ho_queued": {
        "zh": "{why}正在为您转接人工客服，{place}，请稍候。\n"
        "等待时订单和物流问题我也可以继续帮您查；不想等了请说“算了”。",
        "en": "{why}I'm passing you to a person; {place}, please hold on.\n"
        'While you wait I can still check orders and parcels; say "never mind" to stop waiting.',
    },
    "ho_closed": {
        "zh": "{why}人工客服的服务时间是 {hours}，现在不在服务时间。您的问题已记下并排队，"
        "客服 {when} 上线后会第一时间回复您。\n其间订单和物流问题我可以继续帮您查。",
        "en": "{why}Our people are here {hours}, and it is outside those hours now. Your request is queued; "
        "someone will answer from {when}.\nMeanwhile I can still check orders and parcels.",
    },
    "ho_next": {"zh": "您是下一位", "en": "you're next"},
    "ho_ahead": {"zh": "您前面还有 {ahead} 位", "en": "{ahead} ahead of you"},
    "ho_why_complaint": {
        "zh": "非常抱歉给您带来不好的体验。",
        "en": "I'm very sorry about your experience. ",
    },
    "ho_why_misunderstood": {
        "zh": "抱歉，我没能理解您的意思。",
        "en": "Sorry, I couldn't understand that. ",
    },
    "ho_still_waiting": {
        "zh": "已经在为您排队转人工了（{place}），客服接入后会先看到您发的消息。",
        "en": "You're already in the queue for a person ({place}); they will see your messages first.",
    },
    "ho_with_agent": {
        "zh": "客服正在和您对话，请直接发消息给客服。",
        "en": "A person is with you now; just write to them here.",
    },
    "ho_claimed": {
        "zh": "客服{agent}已接入，请问有什么可以帮您？",
        "en": "{agent} from our team is here now. How can we help?",
    },
    "ho_agent_says": {"zh": "【客服{agent}】{text}", "en": "[{agent}] {text}"},
    "ho_agent_sends_photos": {"zh": "【客服{agent}】发来图片：", "en": "[{agent}] sent you a picture:"},
    "ho_ended": {
        "zh": "本次人工服务已结束，感谢您的耐心。接下来由小二继续为您服务，有问题随时找我。",
        "en": "The person has finished helping you; thanks for your patience. I'm back if you need anything.",
    },
    "ho_tell_first": {
        "zh": "好的，马上为您转人工客服。请先用一句话说说遇到了什么问题（有订单号也请一并发来），"
        "客服接入后能更快帮您处理。",
        "en": "Sure, I'll get you a person. First, please tell me in a sentence what happened (with the order number "
        "if you have it), so they can help you faster.",
    },
    "ho_too_often": {
        "zh": "您转人工的次数有点多，请稍后再试。您也可以直接把问题发给我，我先帮您看看。",
        "en": "That's a lot of requests for a person; please try again a little later. Meanwhile, tell me what "
        "you need and I'll look into it.",
    },
    "ho_gave_up": {
        "zh": "抱歉，一直没有客服接入（您已等待约 {waited}），已为您结束排队。您可以继续问我；"
        "需要人工时，请在客服时间（{hours}）再发“转人工”。",
        "en": "Sorry, no one could take your chat (you waited about {waited}), so you're out of the queue. "
        'Ask me anything meanwhile, or send "human" again during service hours ({hours}).',
    },
    "ho_withdrawn": {
        "zh": "好的，已取消转人工。还有什么可以帮您？",
        "en": "OK, you're out of the queue. Anything else I can do?",
    },
}
