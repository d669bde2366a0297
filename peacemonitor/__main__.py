from peacemonitor.cli import main

main()
