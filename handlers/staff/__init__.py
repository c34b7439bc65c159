"""Staff in their own chats: who they are (the roster), the agents' case desk and held chats, and the ops
commands on alerts with the alerts' wording."""
