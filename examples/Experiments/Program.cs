var plt = new ScottPlot.Plot();
var s = plt.Add.Scatter(new double[]{1,2,3}, new double[]{3,1,2});
s.LegendText = "test";
plt.Title("t"); plt.XLabel("x"); plt.ShowLegend();
plt.SavePng("/tmp/exp_test.png", 600, 400);
System.Console.WriteLine("ok");
