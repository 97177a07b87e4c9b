// A stage's build progress as the stage graph draws it (node colour and status line).
#pragma once

namespace stagecraft::ui {

enum class StageState { Idle, Queued, Running, Cached, Done, Failed };

} // namespace stagecraft::ui
