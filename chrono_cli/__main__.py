from chrono_cli.entry import main

main()
