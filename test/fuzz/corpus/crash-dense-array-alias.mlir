!t = index
"a"() {b = array<!t: 1>} : () -> ()
