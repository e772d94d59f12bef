namespace PolicyBot.Policies;
