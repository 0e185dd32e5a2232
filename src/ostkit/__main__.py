from ostkit.cli import main

main()
