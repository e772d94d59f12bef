namespace PolicyBot.Sandbox;
